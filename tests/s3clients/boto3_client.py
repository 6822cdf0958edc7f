#!/usr/bin/python3
"""boto3 (Debian's python3-boto3) against castor, path style, Signature V4.

Scenario: bucket, put/get with metadata, conditional puts (If-None-Match: * and If-Match, added
through botocore's event hooks where this botocore predates the parameters), range get,
conditional get, a presigned GET fetched with urllib, multipart (upload_part, list_parts,
list_multipart_uploads, complete; EntityTooSmall; abort), copy, the list paginator, delete_objects,
error codes (missing bucket 404, NoSuchKey, a wrong secret -> SignatureDoesNotMatch 403), and the
bucket removed again. Environment: see run.sh. Exits 1 when any check failed.
"""

import contextlib
import hashlib
import os
import sys
import traceback
import urllib.error
import urllib.request

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ENDPOINT = os.environ["S3_ENDPOINT"]
BUCKET = os.environ["S3CLIENTS_BUCKET"]
LARGE = int(os.environ["S3CLIENTS_LARGE_MIB"]) * 1024 * 1024 + 777
PART = 5 * 1024 * 1024

checks = 0
failures = 0


@contextlib.contextmanager
def section(title):
    """One step of the scenario: an unexpected error fails it, and the next step runs."""
    global failures
    print(f"\n== {title}", flush=True)
    try:
        yield
    except Exception:  # noqa: BLE001 - any error of the client or of a check stops this step only
        traceback.print_exc(file=sys.stdout)
        failures += 1
        print(f"FAILED: step '{title}' stopped at an unexpected error (above)", flush=True)


def check(what, ok, detail=""):
    global checks, failures
    checks += 1
    if ok:
        print(f"ok: {what}", flush=True)
    else:
        failures += 1
        print(f"FAILED: {what}: {detail}", flush=True)


def expect_eq(what, expected, actual):
    check(what, expected == actual, f"expected {expected!r}, got {actual!r}")


def expect_error(what, code, status, fn, *args, **kwargs):
    """fn(*args, **kwargs) must raise ClientError with this S3 code and HTTP status."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        got = (e.response.get("Error", {}).get("Code"),
               e.response.get("ResponseMetadata", {}).get("HTTPStatusCode"))
        expect_eq(what, (code, status), got)
        return
    check(what, False, f"succeeded, expected {code} {status}")


def client(secret=None):
    return boto3.session.Session().client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=secret or os.environ["AWS_SECRET_ACCESS_KEY"],
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"max_attempts": 1, "mode": "standard"}))


def with_headers(s3, operation, headers):
    """Adds raw headers to one operation's requests (for parameters this botocore lacks)."""
    def add(request, **_):
        for name, value in headers.items():
            request.headers[name] = value
    event = f"before-sign.s3.{operation}"
    s3.meta.events.register(event, add)
    return lambda: s3.meta.events.unregister(event, add)


def md5_hex(data):
    return hashlib.md5(data).hexdigest()


def multipart_etag(parts):
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def main():
    s3 = client()
    print(f"boto3 {boto3.__version__}, botocore {botocore.__version__}", flush=True)

    with section("create_bucket, head_bucket"):
        s3.create_bucket(Bucket=BUCKET)
        expect_eq("head_bucket", 200, s3.head_bucket(Bucket=BUCKET)["ResponseMetadata"]["HTTPStatusCode"])
        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        check("list_buckets has the bucket", BUCKET in names, names)
        expect_error("head_bucket of a missing bucket", "404", 404, s3.head_bucket,
                     Bucket=BUCKET + "-missing")

    with section("put_object / get_object with metadata"):
        body = os.urandom(100_000)
        put = s3.put_object(Bucket=BUCKET, Key="docs/a.bin", Body=body, ContentType="application/x-test",
                            Metadata={"origin": "boto3", "n": "42"}, ContentDisposition="inline",
                            ContentLanguage="en", CacheControl="no-cache")
        expect_eq("put ETag is the MD5", f'"{md5_hex(body)}"', put["ETag"])
        got = s3.get_object(Bucket=BUCKET, Key="docs/a.bin")
        data = got["Body"].read()
        expect_eq("get returns the bytes (sha256)", hashlib.sha256(body).hexdigest(),
                  hashlib.sha256(data).hexdigest())
        expect_eq("metadata", {"origin": "boto3", "n": "42"}, got["Metadata"])
        expect_eq("content type", "application/x-test", got["ContentType"])
        expect_eq("content disposition", "inline", got.get("ContentDisposition"))
        expect_eq("content language", "en", got.get("ContentLanguage"))
        expect_eq("cache control", "no-cache", got.get("CacheControl"))
        expect_eq("content length", len(body), got["ContentLength"])
        head = s3.head_object(Bucket=BUCKET, Key="docs/a.bin")
        expect_eq("head ETag", put["ETag"], head["ETag"])
        expect_eq("head metadata", {"origin": "boto3", "n": "42"}, head["Metadata"])

    with section("overwrite"):
        body2 = os.urandom(5000)
        s3.put_object(Bucket=BUCKET, Key="docs/a.bin", Body=body2)
        expect_eq("overwritten content", body2, s3.get_object(Bucket=BUCKET, Key="docs/a.bin")["Body"].read())
        expect_eq("overwrite drops the old metadata", {},
                  s3.head_object(Bucket=BUCKET, Key="docs/a.bin")["Metadata"])

    with section("conditional put (If-None-Match: *, If-Match)"):
        undo = with_headers(s3, "PutObject", {"If-None-Match": "*"})
        try:
            first = s3.put_object(Bucket=BUCKET, Key="once", Body=b"first")
            expect_eq("first create", f'"{md5_hex(b"first")}"', first["ETag"])
            expect_error("second create", "PreconditionFailed", 412, s3.put_object, Bucket=BUCKET,
                         Key="once", Body=b"second")
        finally:
            undo()
        expect_eq("the first create's bytes stay", b"first",
                  s3.get_object(Bucket=BUCKET, Key="once")["Body"].read())
        undo = with_headers(s3, "PutObject", {"If-Match": '"0123456789abcdef0123456789abcdef"'})
        try:
            expect_error("If-Match with another ETag", "PreconditionFailed", 412, s3.put_object,
                         Bucket=BUCKET, Key="once", Body=b"third")
        finally:
            undo()
        undo = with_headers(s3, "PutObject", {"If-Match": first["ETag"]})
        try:
            s3.put_object(Bucket=BUCKET, Key="once", Body=b"fourth")
        finally:
            undo()
        expect_eq("If-Match with the current ETag replaces", b"fourth",
                  s3.get_object(Bucket=BUCKET, Key="once")["Body"].read())

    with section("range and conditional get"):
        r = s3.get_object(Bucket=BUCKET, Key="docs/a.bin", Range="bytes=1000-1999")
        expect_eq("range status", 206, r["ResponseMetadata"]["HTTPStatusCode"])
        expect_eq("range bytes", body2[1000:2000], r["Body"].read())
        expect_eq("Content-Range", "bytes 1000-1999/5000", r.get("ContentRange"))
        r = s3.get_object(Bucket=BUCKET, Key="docs/a.bin", Range="bytes=4990-")
        expect_eq("open range bytes", body2[4990:], r["Body"].read())
        etag = s3.head_object(Bucket=BUCKET, Key="docs/a.bin")["ETag"]
        expect_error("If-None-Match with the current ETag", "304", 304, s3.get_object, Bucket=BUCKET,
                     Key="docs/a.bin", IfNoneMatch=etag)
        expect_error("If-Match with another ETag (get)", "PreconditionFailed", 412, s3.get_object,
                     Bucket=BUCKET, Key="docs/a.bin", IfMatch='"ffffffffffffffffffffffffffffffff"')
        expect_error("range past the end", "InvalidRange", 416, s3.get_object, Bucket=BUCKET,
                     Key="docs/a.bin", Range="bytes=6000-7000")

    with section("presigned GET through urllib"):
        url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "docs/a.bin"},
                                        ExpiresIn=300)
        with urllib.request.urlopen(url, timeout=30) as resp:
            expect_eq("presigned GET bytes", body2, resp.read())
        bad = url.replace("docs/a.bin", "once")
        try:
            urllib.request.urlopen(bad, timeout=30)
            check("a presigned URL for another key is refused", False, "200")
        except urllib.error.HTTPError as e:
            expect_eq("a presigned URL for another key is refused", 403, e.code)
            check("... with SignatureDoesNotMatch", b"<Code>SignatureDoesNotMatch</Code>" in e.read(), "")

    with section("multipart upload"):
        big = os.urandom(LARGE)
        parts_data = [big[i:i + PART] for i in range(0, len(big), PART)]
        mpu = s3.create_multipart_upload(Bucket=BUCKET, Key="big/blob.bin", ContentType="application/x-big",
                                         Metadata={"kind": "multipart"})
        upload_id = mpu["UploadId"]
        uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        check("list_multipart_uploads shows it",
              any(u["UploadId"] == upload_id and u["Key"] == "big/blob.bin" for u in uploads), uploads)
        done = []
        for n, chunk in enumerate(parts_data, start=1):
            p = s3.upload_part(Bucket=BUCKET, Key="big/blob.bin", UploadId=upload_id, PartNumber=n,
                               Body=chunk)
            expect_eq(f"part {n} ETag is its MD5", f'"{md5_hex(chunk)}"', p["ETag"])
            done.append({"PartNumber": n, "ETag": p["ETag"]})
        listed = s3.list_parts(Bucket=BUCKET, Key="big/blob.bin", UploadId=upload_id)
        expect_eq("list_parts: numbers and sizes", [(i + 1, len(c)) for i, c in enumerate(parts_data)],
                  [(p["PartNumber"], p["Size"]) for p in listed["Parts"]])
        expect_eq("list_parts: ETags", [d["ETag"] for d in done], [p["ETag"] for p in listed["Parts"]])
        page = s3.list_parts(Bucket=BUCKET, Key="big/blob.bin", UploadId=upload_id, MaxParts=2)
        expect_eq("list_parts MaxParts=2", [1, 2], [p["PartNumber"] for p in page["Parts"]])
        check("list_parts MaxParts=2 is truncated", page.get("IsTruncated") is True, page.get("IsTruncated"))
        fin = s3.complete_multipart_upload(Bucket=BUCKET, Key="big/blob.bin", UploadId=upload_id,
                                           MultipartUpload={"Parts": done})
        expect_eq("complete: multipart ETag", multipart_etag(parts_data), fin["ETag"])
        got = s3.get_object(Bucket=BUCKET, Key="big/blob.bin")
        expect_eq("multipart object sha256", hashlib.sha256(big).hexdigest(),
                  hashlib.sha256(got["Body"].read()).hexdigest())
        expect_eq("multipart object metadata", {"kind": "multipart"}, got["Metadata"])
        expect_eq("multipart object content type", "application/x-big", got["ContentType"])
        r = s3.get_object(Bucket=BUCKET, Key="big/blob.bin", Range=f"bytes={PART - 10}-{PART + 9}")
        expect_eq("range across a part boundary", big[PART - 10:PART + 10], r["Body"].read())
        uploads = s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", [])
        check("completed upload no longer listed", all(u["UploadId"] != upload_id for u in uploads), uploads)

    with section("multipart: EntityTooSmall, abort"):
        small = s3.create_multipart_upload(Bucket=BUCKET, Key="big/small-parts")["UploadId"]
        e1 = s3.upload_part(Bucket=BUCKET, Key="big/small-parts", UploadId=small, PartNumber=1,
                            Body=b"a" * 1024)["ETag"]
        e2 = s3.upload_part(Bucket=BUCKET, Key="big/small-parts", UploadId=small, PartNumber=2,
                            Body=b"b" * 1024)["ETag"]
        expect_error("complete with a small non-last part", "EntityTooSmall", 400,
                     s3.complete_multipart_upload, Bucket=BUCKET, Key="big/small-parts", UploadId=small,
                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1},
                                                {"PartNumber": 2, "ETag": e2}]})
        s3.abort_multipart_upload(Bucket=BUCKET, Key="big/small-parts", UploadId=small)
        expect_error("list_parts of an aborted upload", "NoSuchUpload", 404, s3.list_parts,
                     Bucket=BUCKET, Key="big/small-parts", UploadId=small)
        expect_error("the aborted upload made no object", "404", 404, s3.head_object, Bucket=BUCKET,
                     Key="big/small-parts")

    with section("copy_object"):
        cp = s3.copy_object(Bucket=BUCKET, Key="copies/blob.bin",
                            CopySource={"Bucket": BUCKET, "Key": "big/blob.bin"})
        expect_eq("copy keeps the ETag", fin["ETag"], cp["CopyObjectResult"]["ETag"])
        head = s3.head_object(Bucket=BUCKET, Key="copies/blob.bin")
        expect_eq("copy keeps the metadata (COPY)", {"kind": "multipart"}, head["Metadata"])
        expect_eq("copy's length", len(big), head["ContentLength"])
        s3.copy_object(Bucket=BUCKET, Key="copies/a.bin", CopySource=f"{BUCKET}/docs/a.bin",
                       MetadataDirective="REPLACE", Metadata={"copied": "yes"}, ContentType="text/x-copy")
        got = s3.get_object(Bucket=BUCKET, Key="copies/a.bin")
        expect_eq("copy bytes", body2, got["Body"].read())
        expect_eq("copy REPLACE metadata", {"copied": "yes"}, got["Metadata"])
        expect_eq("copy REPLACE content type", "text/x-copy", got["ContentType"])
        expect_error("copy of a missing source", "NoSuchKey", 404, s3.copy_object, Bucket=BUCKET,
                     Key="copies/none", CopySource={"Bucket": BUCKET, "Key": "no/such/key"})

    with section("list paginator"):
        for i in range(25):
            s3.put_object(Bucket=BUCKET, Key=f"many/{i:03d}", Body=str(i).encode())
        pages = list(s3.get_paginator("list_objects_v2").paginate(
            Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 6}))
        expect_eq("paginator: number of pages", 5, len(pages))
        keys = [o["Key"] for p in pages for o in p.get("Contents", [])]
        expect_eq("paginator: every key once, in order", [f"many/{i:03d}" for i in range(25)], keys)
        top = s3.list_objects_v2(Bucket=BUCKET, Delimiter="/")
        expect_eq("delimiter: common prefixes", ["big/", "copies/", "docs/", "many/"],
                  [p["Prefix"] for p in top.get("CommonPrefixes", [])])
        expect_eq("delimiter: top-level keys", ["once"], [o["Key"] for o in top.get("Contents", [])])
        v1 = list(s3.get_paginator("list_objects").paginate(
            Bucket=BUCKET, Prefix="many/", PaginationConfig={"PageSize": 10}))
        expect_eq("v1 paginator keys", [f"many/{i:03d}" for i in range(25)],
                  [o["Key"] for p in v1 for o in p.get("Contents", [])])

    with section("delete_objects"):
        res = s3.delete_objects(Bucket=BUCKET, Delete={
            "Objects": [{"Key": f"many/{i:03d}"} for i in range(25)] + [{"Key": "many/none"}]})
        expect_eq("deleted keys", sorted([f"many/{i:03d}" for i in range(25)] + ["many/none"]),
                  sorted(d["Key"] for d in res.get("Deleted", [])))
        expect_eq("no errors", [], res.get("Errors", []))
        expect_eq("nothing left under many/", 0,
                  s3.list_objects_v2(Bucket=BUCKET, Prefix="many/")["KeyCount"])
        res = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "once"}], "Quiet": True})
        expect_eq("Quiet: no Deleted entries", [], res.get("Deleted", []))

    with section("errors"):
        expect_error("get of a missing key", "NoSuchKey", 404, s3.get_object, Bucket=BUCKET,
                     Key="no/such/key")
        expect_error("get from a missing bucket", "NoSuchBucket", 404, s3.get_object,
                     Bucket=BUCKET + "-missing", Key="k")
        expect_error("a wrong secret", "SignatureDoesNotMatch", 403, client("x" * 40).get_object,
                     Bucket=BUCKET, Key="docs/a.bin")
        expect_error("delete_bucket of a non-empty bucket", "BucketNotEmpty", 409, s3.delete_bucket,
                     Bucket=BUCKET)

    with section("empty and delete the bucket"):
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
            objs = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if objs:
                s3.delete_objects(Bucket=BUCKET, Delete={"Objects": objs, "Quiet": True})
        s3.delete_bucket(Bucket=BUCKET)
        expect_error("head_bucket after delete", "404", 404, s3.head_bucket, Bucket=BUCKET)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # an unexpected error stops the scenario: it counts as a failure
        traceback.print_exc()
        failures += 1
    print(f"\n{checks} checks, {failures} failed")
    sys.exit(1 if failures else 0)
