// SHA-256 in the browser: a whole file streamed in 8 MiB slices through @noble/hashes (the
// file never sits in memory whole), and one part with Web Crypto (parts are in memory anyway).
import { sha256 } from '@noble/hashes/sha2';
import { hex } from '../format.js';

export const HASH_SLICE = 8 * 1024 * 1024;

/**
 * Hashes a Blob; onProgress(bytesDone) after each slice; stops with an AbortError when
 * signal.aborted turns true between slices. Returns lowercase hex.
 */
export async function sha256File(blob, onProgress, signal) {
  const h = sha256.create();
  for (let off = 0; off < blob.size; off += HASH_SLICE) {
    if (signal && signal.aborted) throw new DOMException('aborted', 'AbortError');
    const buf = await blob.slice(off, Math.min(blob.size, off + HASH_SLICE)).arrayBuffer();
    h.update(new Uint8Array(buf));
    onProgress && onProgress(Math.min(blob.size, off + HASH_SLICE));
  }
  return hex(h.digest());
}

/** SHA-256 of an ArrayBuffer with Web Crypto (lowercase hex); falls back to noble without it. */
export async function sha256Buffer(buf) {
  if (globalThis.crypto && crypto.subtle) return hex(new Uint8Array(await crypto.subtle.digest('SHA-256', buf)));
  return hex(sha256(new Uint8Array(buf)));
}
