// The upload queue: at most 2 files at once; files up to 8 MiB in one POST /v1/objects,
// larger ones hashed whole (streamed), then through a resumable upload session (an open one for
// the same sha256/key/namespace is resumed: only its missing parts are sent), 2 parts in flight.
// Pause aborts the requests in flight and keeps the session; Cancel also deletes the session.
import { api, isMissingRoute, withQuery } from '../api.js';
import { send } from './xhr.js';
import { sha256Buffer, sha256File } from './hash.js';

export const SINGLE_MAX = 8 * 1024 * 1024;
export const PART_SIZE = 8 * 1024 * 1024;
const FILES_AT_ONCE = 2;
const PARTS_AT_ONCE = 2;
const MAX_PARTS = 10000;
const ACTIVE = new Set(['hashing', 'uploading']);

let nextId = 1;

/**
 * The part size for a file: 8 MiB (or the server's smaller hint), grown when needed so that the
 * file fits in the server's 10,000 parts. Deterministic, so a resumed session's parts line up.
 */
function partSizeFor(size, hint) {
  const base = Math.min(PART_SIZE, hint || PART_SIZE);
  return Math.max(base, Math.ceil(size / MAX_PARTS));
}

class UploadManager {
  constructor() {
    this.items = [];
    this.listeners = new Set();
    this.doneListeners = new Set();
    this.frame = 0;
    this.ticker = null;
  }

  /** Calls fn() after every change (batched per animation frame); returns an unsubscribe. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Calls fn(item) when an item is done; returns an unsubscribe. */
  onDone(fn) {
    this.doneListeners.add(fn);
    return () => this.doneListeners.delete(fn);
  }

  notify() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.listeners.forEach((fn) => fn());
    });
  }

  /** Queues files (a FileList or array) for tenant/namespace under prefix. */
  add(files, { tenant, namespace, prefix }) {
    for (const file of Array.from(files)) {
      this.items.push({
        id: nextId++, file, name: file.name, key: (prefix || '') + file.name, tenant, namespace,
        size: file.size, state: 'queued', sent: 0, hashed: 0, rate: 0, eta: null, error: null,
        sha256: null, sessionId: null, partSize: PART_SIZE, partsDone: new Map(), inflight: new Map(),
        token: 0, lastSent: 0, lastTime: 0,
      });
    }
    this.pump();
    this.notify();
  }

  pump() {
    let active = this.items.filter((i) => ACTIVE.has(i.state)).length;
    for (const item of this.items) {
      if (active >= FILES_AT_ONCE) break;
      if (item.state === 'queued') {
        active++;
        this.run(item);
      }
    }
    this.tick();
  }

  tick() {
    const busy = this.items.some((i) => ACTIVE.has(i.state));
    if (busy && !this.ticker) this.ticker = setInterval(() => this.measure(), 500);
    if (!busy && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  measure() {
    const now = performance.now();
    for (const i of this.items) {
      if (i.state !== 'uploading') {
        i.rate = 0;
        continue;
      }
      if (i.lastTime) {
        const inst = ((i.sent - i.lastSent) * 1000) / Math.max(1, now - i.lastTime);
        i.rate = i.rate ? 0.7 * i.rate + 0.3 * Math.max(0, inst) : Math.max(0, inst);
        i.eta = i.rate > 0 ? (i.size - i.sent) / i.rate : null;
      }
      i.lastSent = i.sent;
      i.lastTime = now;
    }
    this.notify();
  }

  async run(item) {
    const token = ++item.token;
    const live = () => item.token === token;
    item.error = null;
    item.lastTime = 0;
    try {
      if (item.size <= SINGLE_MAX) await this.single(item, live);
      else await this.multipart(item, live);
      if (!live()) return;
      item.state = 'done';
      item.sent = item.size;
      item.eta = 0;
      this.doneListeners.forEach((fn) => fn(item));
    } catch (e) {
      if (!live()) return;
      item.state = 'error';
      item.error = e.message || String(e);
      for (const x of item.inflight.values()) x.abort();
      item.inflight.clear();
    } finally {
      if (live()) {
        this.pump();
        this.notify();
      }
    }
  }

  async single(item, live, knownSha) {
    item.state = 'uploading';
    this.notify();
    const buf = knownSha ? item.file : await item.file.arrayBuffer();
    const sha = knownSha || (await sha256Buffer(buf));
    if (!live()) return;
    const url = withQuery('/v1/objects', { namespace: item.namespace, key: item.key, tenant_id: item.tenant });
    const headers = { 'X-Content-SHA256': sha };
    if (item.file.type) headers['Content-Type'] = item.file.type;
    const x = send('POST', url, buf, { headers, tenant: item.tenant, onProgress: (n) => { item.sent = n; this.notify(); } });
    item.inflight.set(1, x);
    try {
      await x.promise;
    } finally {
      item.inflight.delete(1);
    }
  }

  partRange(item, n) {
    const start = (n - 1) * item.partSize;
    return [start, Math.min(item.size, start + item.partSize)];
  }

  async openSession(item, live) {
    const q = withQuery('/v1/uploads', { sha256: item.sha256, key: item.key, namespace: item.namespace, limit: 10 });
    const open = await api(q, { tenant: item.tenant });
    for (const s of (open && open.uploads) || []) {
      if (s.state !== 'open' || s.size_bytes !== item.size) continue;
      const full = await api(`/v1/uploads/${encodeURIComponent(s.upload_id)}`, { tenant: item.tenant });
      item.partSize = partSizeFor(item.size, full.part_size_hint);
      for (const p of full.parts || []) {
        const [a, b] = this.partRange(item, p.part_number);
        if (a >= item.size || p.size_bytes !== b - a) continue;
        const sha = await sha256Buffer(await item.file.slice(a, b).arrayBuffer());
        if (!live()) return;
        if (sha === String(p.sha256).replace(/^sha256:/, '')) item.partsDone.set(p.part_number, b - a);
      }
      item.sessionId = s.upload_id;
      return;
    }
    const s = await api('/v1/uploads', {
      method: 'POST',
      tenant: item.tenant,
      body: { namespace: item.namespace, key: item.key, size_bytes: item.size, sha256: item.sha256, content_type: item.file.type || undefined },
    });
    item.partSize = partSizeFor(item.size, s.part_size_hint);
    item.sessionId = s.upload_id;
  }

  updateSent(item) {
    let n = 0;
    for (const v of item.partsDone.values()) n += v;
    for (const x of item.inflight.values()) n += x.loaded || 0;
    item.sent = Math.min(item.size, n);
    this.notify();
  }

  async multipart(item, live) {
    if (!item.sha256) {
      item.state = 'hashing';
      this.notify();
      item.sha256 = await sha256File(item.file, (n) => { item.hashed = n; this.notify(); }, { get aborted() { return !live(); } });
    }
    if (!live()) return;
    item.state = 'uploading';
    this.notify();
    if (!item.sessionId) {
      try {
        await this.openSession(item, live);
      } catch (e) {
        // A server without upload sessions: one POST of the whole file (streamed from disk).
        if (isMissingRoute(e)) return this.single(item, live, item.sha256);
        throw e;
      }
    }
    if (!live()) return;
    const count = Math.max(1, Math.ceil(item.size / item.partSize));
    const queue = [];
    for (let n = 1; n <= count; n++) if (!item.partsDone.has(n)) queue.push(n);
    this.updateSent(item);
    const worker = async () => {
      while (queue.length && live()) {
        const n = queue.shift();
        const [a, b] = this.partRange(item, n);
        const buf = await item.file.slice(a, b).arrayBuffer();
        const sha = await sha256Buffer(buf);
        if (!live()) return;
        const url = `/v1/uploads/${encodeURIComponent(item.sessionId)}/parts/${n}`;
        const x = send('PUT', url, buf, { headers: { 'X-Content-SHA256': sha }, tenant: item.tenant, onProgress: (l) => { x.loaded = l; this.updateSent(item); } });
        x.loaded = 0;
        item.inflight.set(n, x);
        try {
          await x.promise;
          item.partsDone.set(n, b - a);
        } finally {
          item.inflight.delete(n);
          this.updateSent(item);
        }
      }
    };
    await Promise.all(Array.from({ length: PARTS_AT_ONCE }, worker));
    if (!live()) return;
    await api(`/v1/uploads/${encodeURIComponent(item.sessionId)}/complete`, { method: 'POST', body: {}, tenant: item.tenant });
  }

  stop(item, state) {
    item.token++;
    for (const x of item.inflight.values()) x.abort();
    item.inflight.clear();
    item.state = state;
    item.rate = 0;
    item.eta = null;
    if (state === 'paused') this.updateSent(item);
  }

  pause(id) {
    const item = this.items.find((i) => i.id === id);
    if (!item || !['queued', 'hashing', 'uploading'].includes(item.state)) return;
    this.stop(item, 'paused');
    this.pump();
    this.notify();
  }

  resume(id) {
    const item = this.items.find((i) => i.id === id);
    if (!item || !['paused', 'error'].includes(item.state)) return;
    item.state = 'queued';
    this.pump();
    this.notify();
  }

  cancel(id) {
    const item = this.items.find((i) => i.id === id);
    if (!item || ['done', 'cancelled'].includes(item.state)) return;
    this.stop(item, 'cancelled');
    if (item.sessionId) {
      api(`/v1/uploads/${encodeURIComponent(item.sessionId)}`, { method: 'DELETE', tenant: item.tenant }).catch(() => {});
      item.sessionId = null;
    }
    this.pump();
    this.notify();
  }

  /** Removes finished items (done, cancelled) from the panel. */
  clearFinished() {
    this.items = this.items.filter((i) => !['done', 'cancelled'].includes(i.state));
    this.notify();
  }

  /** Stops everything (sign-out): aborts requests and forgets the queue. */
  cancelAll() {
    for (const i of this.items) if (!['done', 'cancelled', 'error'].includes(i.state)) this.stop(i, 'cancelled');
    this.items = [];
    this.tick();
    this.notify();
  }
}

export const uploads = new UploadManager();
