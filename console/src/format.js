// Formatting helpers: sizes (binary units), dates (local, with the UTC value as title), rates.

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** "1.5 MiB" for a byte count (null/undefined → "—"). */
export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  let v = Number(n);
  let i = 0;
  while (Math.abs(v) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${UNITS[i]}`;
}

/** A date as "2026-12-03 20:03:58" in the browser's zone ("—" when absent). */
export function date(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "12 s", "3 min 4 s", "1 h 2 min" for a duration in seconds. */
export function duration(s) {
  if (!Number.isFinite(s) || s < 0) return '—';
  s = Math.round(s);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** The last path segment of a key ("a/b/c.txt" → "c.txt", "a/b/" → "b/"). */
export function lastSegment(key) {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  const i = trimmed.lastIndexOf('/');
  return key.slice(i + 1);
}

/** The folder part of a key ("a/b/c.txt" → "a/b/", "c.txt" → ""). */
export function dirname(key) {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i + 1);
}

/** Hex of a byte array. */
export function hex(bytesArr) {
  return Array.from(bytesArr, (b) => b.toString(16).padStart(2, '0')).join('');
}
