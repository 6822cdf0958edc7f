// XMLHttpRequest as a promise, for upload progress (fetch reports none).
import { ApiError, authHeaders } from '../api.js';

/**
 * Sends body with method to url; onProgress(loadedBytes) as the body goes out. Returns
 * {promise, abort}. The promise resolves to the parsed JSON (or null) on 2xx, rejects with an
 * ApiError (server error JSON) or a DOMException AbortError.
 */
export function send(method, url, body, { headers = {}, tenant, onProgress } = {}) {
  const xhr = new XMLHttpRequest();
  const promise = new Promise((resolve, reject) => {
    xhr.open(method, url);
    const all = { ...authHeaders(tenant), ...headers };
    for (const [k, v] of Object.entries(all)) xhr.setRequestHeader(k, v);
    xhr.responseType = 'text';
    if (onProgress) xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let json = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(json);
      else {
        const err = json && json.error ? json.error : {};
        reject(new ApiError(xhr.status, err.code, err.message || `HTTP ${xhr.status}`));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'network error (the connection failed)'));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}
