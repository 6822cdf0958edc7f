// The castor API client: same origin, bearer credential from sessionStorage, JSON in and out,
// errors as ApiError carrying the server's {"error":{"code","message"}}.

const STORAGE_KEY = 'castor.credential';

export const credential = {
  get: () => sessionStorage.getItem(STORAGE_KEY),
  set: (value) => sessionStorage.setItem(STORAGE_KEY, value),
  clear: () => sessionStorage.removeItem(STORAGE_KEY),
};

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'http_' + status;
  }
}

let unauthorizedHandler = null;

/** Registers what happens when any call answers 401 (the app signs out). */
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

/** Turns a failed Response into an ApiError (reads the error JSON when there is one). */
export async function errorFrom(res) {
  let code = null;
  let message = `${res.status} ${res.statusText}`.trim();
  try {
    const body = await res.json();
    if (body && body.error) {
      code = body.error.code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, code, message);
}

/** Authorization (and X-Tenant) headers for a request made outside api(), e.g. an XHR. */
export function authHeaders(tenant) {
  const headers = {};
  const c = credential.get();
  if (c) headers.Authorization = `Bearer ${c}`;
  if (tenant) headers['X-Tenant'] = tenant;
  return headers;
}

/** Builds "path?a=1&b=2" from an object, leaving out null/undefined/'' values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Calls the API. opts: method, body (object → JSON), headers, tenant (X-Tenant), raw (return
 * the Response), signal, quiet401 (do not sign out on 401: used by the sign-in check).
 */
export async function api(path, opts = {}) {
  const headers = { ...authHeaders(opts.tenant), ...(opts.headers || {}) };
  let body = opts.body;
  if (body !== undefined && typeof body !== 'string' && !(body instanceof Blob)) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(body);
  }
  const res = await fetch(path, { method: opts.method || 'GET', headers, body, signal: opts.signal });
  if (!res.ok && res.status !== 304) {
    const err = await errorFrom(res);
    if (res.status === 401 && !opts.quiet401 && unauthorizedHandler) unauthorizedHandler(err);
    throw err;
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** True when the error means "this server has no such route" (an older castor). */
export function isMissingRoute(err) {
  return err instanceof ApiError && err.status === 404 && /route/i.test(err.message || '');
}

/**
 * A presigned URL for a GET path (POST /v1/presign, docs/PRESIGNED_URLS.md): `{url, expiresAt}`
 * (milliseconds since the epoch). The URL carries a signature, never the credential.
 */
export async function presign(path, expiresInSeconds = 900) {
  const r = await api('/v1/presign', { method: 'POST', body: { path, expires_in_seconds: expiresInSeconds } });
  return { url: r.url, expiresAt: Date.parse(r.expires_at) };
}
