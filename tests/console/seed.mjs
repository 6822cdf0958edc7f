// Seeds the castor that run.sh started with what console.test.mjs browses:
//   - namespace "bulk" of tenant t1: BULK_OBJECTS (default 20,000) objects "obj-00000".."obj-19999",
//     all holding the same 16 bytes (deduplicated: one content), uploaded through the native API
//     (POST /v1/objects with X-Content-SHA256) on CONCURRENCY connections;
//   - namespace "xss" of tenant t1: one object whose key is `<img src=x onerror=alert(1)>` and whose
//     metadata member "note" is `<img src=x onerror=alert(2)>`.
//
//   node seed.mjs            (CASTOR_URL and KEY_RW in the environment)
//
// Exits non-zero on the first request that does not answer 201 (409 "key in use" counts as done,
// so a re-run against the same database completes instead of failing).
import { createHash } from 'node:crypto';

const base = process.env.CASTOR_URL;
const key = process.env.KEY_RW;
const total = Number(process.env.BULK_OBJECTS ?? 20000);
const concurrency = Number(process.env.SEED_CONCURRENCY ?? 16);
if (!base || !key) throw new Error('seed.mjs needs CASTOR_URL and KEY_RW');

const body = Buffer.from('castor console\n');
const sha = createHash('sha256').update(body).digest('hex');

async function put(namespace, objectKey, headers = {}) {
  const url = `${base}/v1/objects?namespace=${encodeURIComponent(namespace)}` +
      `&key=${encodeURIComponent(objectKey)}`;
  for (let attempt = 0;; attempt++) {
    let res;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': 'text/plain',
          'x-content-sha256': sha,
          ...headers,
        },
        body,
      });
    } catch (err) {
      // A connection reset under load: retry a few times, then give up loudly.
      if (attempt < 3) continue;
      throw err;
    }
    const text = await res.text();
    if (res.status === 201 || res.status === 409) return;
    if ((res.status === 503 || res.status === 429) && attempt < 5) {
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      continue;
    }
    throw new Error(`POST ${objectKey} in ${namespace}: ${res.status} ${text.slice(0, 300)}`);
  }
}

const started = Date.now();
let next = 0;
async function worker() {
  while (next < total) {
    const i = next++;
    await put('bulk', `obj-${String(i).padStart(5, '0')}`);
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
await put('xss', '<img src=x onerror=alert(1)>', { 'x-meta-note': '<img src=x onerror=alert(2)>' });
console.log(`seeded ${total} objects in "bulk" and 1 in "xss" in ${Date.now() - started} ms`);
