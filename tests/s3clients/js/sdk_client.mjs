// The AWS SDK for JavaScript v3 (@aws-sdk/client-s3, @aws-sdk/lib-storage, current versions from
// npm) against castor, path style. A current SDK sends flexible checksums by default (CRC32, in an
// aws-chunked trailer for streamed bodies): the scenario puts a buffer and a stream, reads the
// checksum back with ChecksumMode ENABLED, then: get, head, conditional put (IfNoneMatch), list v2
// (delimiter, paginator), a multipart Upload, a presigned GET through fetch, delete, errors.
// Environment: see ../run.sh. Exits 1 when any check failed.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

const endpoint = process.env.S3_ENDPOINT;
const Bucket = process.env.S3CLIENTS_BUCKET;
const largeSize = Number(process.env.S3CLIENTS_LARGE_MIB) * 1024 * 1024 + 333;
const partSize = 5 * 1024 * 1024;

let checks = 0;
let failures = 0;
const step = (title) => console.log(`\n== ${title}`);
function check(what, ok, detail = "") {
  checks += 1;
  if (ok) {
    console.log(`ok: ${what}`);
  } else {
    failures += 1;
    console.log(`FAILED: ${what}: ${detail}`);
  }
}
// An unexpected error stops the current step only (values of a failed step stay undefined and
// the steps that need them fail too, with their own messages). Declarations shared between steps
// are `var` for that reason.
function stepFailed(e) {
  failures += 1;
  console.log(`FAILED: step stopped at an unexpected error: ${e.name}: ${e.message}` +
              ` (HTTP ${e.$metadata?.httpStatusCode})`);
  console.log(e.stack);
}
const show = (v) => (Buffer.isBuffer(v) ? `<${v.length} bytes>` : JSON.stringify(v));
const expectEq = (what, expected, actual) =>
  check(
    what,
    Buffer.isBuffer(expected) ? Buffer.isBuffer(actual) && expected.equals(actual)
                              : JSON.stringify(expected) === JSON.stringify(actual),
    `expected ${show(expected)}, got ${show(actual)}`,
  );
async function expectError(what, name, status, promise) {
  try {
    await promise;
    check(what, false, `succeeded, expected ${name} ${status}`);
  } catch (e) {
    expectEq(what, [name, status], [e.name, e.$metadata?.httpStatusCode]);
  }
}

const sha256 = (b) => createHash("sha256").update(b).digest("hex");
const md5 = (b) => createHash("md5").update(b).digest();
function multipartEtag(buf, size) {
  const digests = [];
  for (let i = 0; i < buf.length; i += size) digests.push(md5(buf.subarray(i, i + size)));
  return `"${md5(Buffer.concat(digests)).toString("hex")}-${digests.length}"`;
}
// CRC-32 (ISO-HDLC, as x-amz-checksum-crc32), base64 of the big-endian value.
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32Base64(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  const out = Buffer.alloc(4);
  out.writeUInt32BE((c ^ 0xffffffff) >>> 0);
  return out.toString("base64");
}
const bodyBytes = async (res) => Buffer.from(await res.Body.transformToByteArray());

const s3 = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  maxAttempts: 1,
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
});
// Record how each PutObject/UploadPart body was sent (the payload mode castor must accept).
const payloadModes = [];
s3.middlewareStack.add(
  (next, context) => async (args) => {
    const h = args.request.headers ?? {};
    const sha = h["x-amz-content-sha256"] ?? "-";
    const checksums = Object.keys(h).filter((n) => n.startsWith("x-amz-checksum-")).join(",") || "-";
    payloadModes.push(
      `${context.commandName}: x-amz-content-sha256=${/^[0-9a-f]{64}$/.test(sha) ? "<hex>" : sha}` +
        ` content-encoding=${h["content-encoding"] ?? "-"} trailer=${h["x-amz-trailer"] ?? "-"}` +
        ` checksum headers=${checksums}`,
    );
    return next(args);
  },
  { step: "finalizeRequest", priority: "low", name: "castorRecordPayloadMode" },
);

async function main() {
  step("CreateBucket, HeadBucket");
  try {
    await s3.send(new CreateBucketCommand({ Bucket }));
    var hb = await s3.send(new HeadBucketCommand({ Bucket }));
    expectEq("HeadBucket", 200, hb.$metadata.httpStatusCode);
  } catch (e) {
    stepFailed(e);
  }
  step("PutObject (buffer and stream, default CRC32 checksums), GetObject, HeadObject");
  try {
    var small = randomBytes(70_000);
    var put = await s3.send(new PutObjectCommand({
      Bucket, Key: "js/small.bin", Body: small, ContentType: "application/x-js",
      Metadata: { client: "js-sdk-v3" },
    }));
    expectEq("PutObject ETag is the MD5", `"${md5(small).toString("hex")}"`, put.ETag);
    var got = await s3.send(new GetObjectCommand({ Bucket, Key: "js/small.bin", ChecksumMode: "ENABLED" }));
    expectEq("GetObject bytes", small, await bodyBytes(got));
    expectEq("metadata", { client: "js-sdk-v3" }, got.Metadata);
    expectEq("content type", "application/x-js", got.ContentType);
    expectEq("stored CRC32 returned with ChecksumMode ENABLED", crc32Base64(small), got.ChecksumCRC32);

    var streamed = randomBytes(300_000);
    await s3.send(new PutObjectCommand({
      Bucket, Key: "js/streamed.bin", Body: Readable.from([streamed.subarray(0, 100_000),
                                                         streamed.subarray(100_000)]),
      ContentLength: streamed.length,
    }));
    var head = await s3.send(new HeadObjectCommand({ Bucket, Key: "js/streamed.bin", ChecksumMode: "ENABLED" }));
    expectEq("streamed put: length", streamed.length, head.ContentLength);
    expectEq("streamed put: ETag", `"${md5(streamed).toString("hex")}"`, head.ETag);
    expectEq("streamed put: CRC32", crc32Base64(streamed), head.ChecksumCRC32);
    expectEq("streamed put: bytes", streamed,
             await bodyBytes(await s3.send(new GetObjectCommand({ Bucket, Key: "js/streamed.bin" }))));
    var ranged = await s3.send(new GetObjectCommand({ Bucket, Key: "js/streamed.bin", Range: "bytes=5-14" }));
    expectEq("range bytes=5-14", streamed.subarray(5, 15), await bodyBytes(ranged));
  } catch (e) {
    stepFailed(e);
  }
  step("conditional PutObject (IfNoneMatch: *)");
  try {
    await s3.send(new PutObjectCommand({ Bucket, Key: "js/once", Body: "first", IfNoneMatch: "*" }));
    await expectError("second conditional create", "PreconditionFailed", 412,
                      s3.send(new PutObjectCommand({ Bucket, Key: "js/once", Body: "second", IfNoneMatch: "*" })));
    expectEq("the first create's bytes stay", Buffer.from("first"),
             await bodyBytes(await s3.send(new GetObjectCommand({ Bucket, Key: "js/once" }))));
  } catch (e) {
    stepFailed(e);
  }
  step("multipart Upload (lib-storage)");
  try {
    var large = randomBytes(largeSize);
    var upload = new Upload({
      client: s3, params: { Bucket, Key: "js/large.bin", Body: large }, partSize, queueSize: 2,
    });
    var done = await upload.done();
    expectEq("Upload ETag is md5-of-part-md5s-N", multipartEtag(large, partSize), done.ETag);
    var lg = await s3.send(new GetObjectCommand({ Bucket, Key: "js/large.bin" }));
    expectEq("large object sha256", sha256(large), sha256(await bodyBytes(lg)));
    expectEq("large object length", large.length, lg.ContentLength);
  } catch (e) {
    stepFailed(e);
  }
  step("presigned GET through fetch");
  try {
    var url = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "js/small.bin" }), { expiresIn: 300 });
    var res = await fetch(url);
    expectEq("presigned GET status", 200, res.status);
    expectEq("presigned GET bytes", small, Buffer.from(await res.arrayBuffer()));
  } catch (e) {
    stepFailed(e);
  }
  step("ListObjectsV2: delimiter and paginator");
  try {
    for (let i = 0; i < 12; i++) {
      await s3.send(new PutObjectCommand({ Bucket, Key: `js/list/${String(i).padStart(2, "0")}`, Body: `${i}` }));
    }
    var top = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "js/", Delimiter: "/" }));
    expectEq("CommonPrefixes", ["js/list/"], (top.CommonPrefixes ?? []).map((p) => p.Prefix));
    expectEq("Contents", ["js/large.bin", "js/once", "js/small.bin", "js/streamed.bin"],
             (top.Contents ?? []).map((o) => o.Key));
    expectEq("KeyCount", 5, top.KeyCount);
    var keys = [];
    var pages = 0;
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 5 }, { Bucket, Prefix: "js/list/" })) {
      pages += 1;
      keys.push(...(page.Contents ?? []).map((o) => o.Key));
    }
    expectEq("paginator pages", 3, pages);
    expectEq("paginator keys", Array.from({ length: 12 }, (_, i) => `js/list/${String(i).padStart(2, "0")}`), keys);
  } catch (e) {
    stepFailed(e);
  }
  step("errors");
  try {
    await expectError("GetObject of a missing key", "NoSuchKey", 404,
                      s3.send(new GetObjectCommand({ Bucket, Key: "js/none" })));
    await expectError("DeleteBucket of a non-empty bucket", "BucketNotEmpty", 409,
                      s3.send(new DeleteBucketCommand({ Bucket })));
  } catch (e) {
    stepFailed(e);
  }
  step("DeleteObject, DeleteObjects, DeleteBucket");
  try {
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "js/small.bin" }));
    await expectError("HeadObject after DeleteObject", "NotFound", 404,
                      s3.send(new HeadObjectCommand({ Bucket, Key: "js/small.bin" })));
    var all = await s3.send(new ListObjectsV2Command({ Bucket }));
    var del = await s3.send(new DeleteObjectsCommand({
      Bucket, Delete: { Objects: (all.Contents ?? []).map((o) => ({ Key: o.Key })) },
    }));
    expectEq("DeleteObjects deleted every key", (all.Contents ?? []).map((o) => o.Key).sort(),
             (del.Deleted ?? []).map((d) => d.Key).sort());
    expectEq("DeleteObjects errors", [], del.Errors ?? []);
    await s3.send(new DeleteBucketCommand({ Bucket }));
    await expectError("HeadBucket after DeleteBucket", "NotFound", 404, s3.send(new HeadBucketCommand({ Bucket })));
  } catch (e) {
    stepFailed(e);
  }
}

try {
  await main();
} catch (e) {
  failures += 1;
  console.log(`FAILED: unexpected error: ${e.name}: ${e.message} (HTTP ${e.$metadata?.httpStatusCode})`);
  console.log(e.stack);
}
console.log("\npayload modes the SDK used:");
for (const m of new Set(payloadModes)) console.log(`  ${m}`);
console.log(`\n${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
