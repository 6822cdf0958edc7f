// An object's preview: images, audio, video and PDFs through a presigned URL; text/JSON/CSV as the first 1 MiB decoded
// as UTF-8 into a <pre> via textContent (JSON pretty-printed when it parses). Never as HTML.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, presign } from '../api.js';
import { bytes } from '../format.js';
import { Alert, Loading } from './common.js';

const TEXT_LIMIT = 1024 * 1024;

/** 'image' | 'text' | 'json' | 'pdf' | 'video' | 'audio' | null for a content type. */
export function previewKind(contentType) {
  const t = String(contentType || '').split(';')[0].trim().toLowerCase();
  if (t.startsWith('image/')) return 'image';
  if (t === 'application/pdf') return 'pdf';
  if (t.startsWith('video/')) return 'video';
  if (t.startsWith('audio/')) return 'audio';
  if (t === 'application/json' || t.endsWith('+json') || t === 'application/x-ndjson') return 'json';
  if (t.startsWith('text/') || t.endsWith('+xml') || ['application/xml', 'application/csv', 'application/yaml', 'application/x-yaml', 'application/javascript', 'application/toml'].includes(t)) return 'text';
  return null;
}

export function Preview({ obj, contentPath }) {
  const kind = previewKind(obj.content_type);
  const [state, setState] = useState({ loading: kind !== null, error: null, url: null, text: null, truncated: false });

  useEffect(() => {
    let cancelled = false;
    const run = async () => {
      if (kind === 'text' || kind === 'json') {
        const res = await api(contentPath, { raw: true, headers: { Range: `bytes=0-${TEXT_LIMIT - 1}` } });
        const buf = await res.arrayBuffer();
        const truncated = obj.size_bytes > buf.byteLength;
        let text = new TextDecoder('utf-8').decode(buf, { stream: truncated });
        if (kind === 'json' && !truncated) {
          try {
            text = JSON.stringify(JSON.parse(text), null, 2);
          } catch {
            // not valid JSON: shown as it is
          }
        }
        return { text, truncated };
      }
      const u = await presign(contentPath);
      return { url: u.url };
    };
    if (kind) {
      run()
        .then((r) => !cancelled && setState({ loading: false, error: null, url: null, text: null, truncated: false, ...r }))
        .catch((e) => !cancelled && setState({ loading: false, error: e }));
    }
    return () => {
      cancelled = true;
    };
  }, [obj.id, kind]);

  let body;
  if (!kind) body = html`<p class="muted">No preview for ${obj.content_type || 'this type'}.</p>`;
  else if (state.loading) body = html`<${Loading} what="the preview" />`;
  else if (state.error) body = html`<${Alert} error=${state.error} />`;
  else if (kind === 'image') body = html`<img src=${state.url} alt=${`Preview of ${obj.key || obj.id}`} referrerpolicy="no-referrer" />`;
  else if (kind === 'pdf') {
    // No sandbox attribute: Debian's Chromium 156 blocks its PDF viewer in ANY sandboxed frame
    // ("This page has been blocked by Chromium", tried sandbox="", "allow-same-origin",
    // "allow-scripts", "allow-scripts allow-same-origin"). Safe because the frame only ever
    // loads an object stored as application/pdf, which castor serves as that type with nosniff
    // (so it is rendered by the PDF viewer, never as a document of this origin); every other
    // content type carries Content-Security-Policy: sandbox from the server.
    body = html`<iframe src=${state.url} title=${`PDF ${obj.key || obj.id}`} referrerpolicy="no-referrer"></iframe>`;
  }
  else if (kind === 'video') body = html`<video src=${state.url} controls preload="metadata"></video>`;
  else if (kind === 'audio') body = html`<audio src=${state.url} controls preload="metadata"></audio>`;
  else {
    body = html`${state.truncated && html`<p class="muted">The first ${bytes(TEXT_LIMIT)} of ${bytes(obj.size_bytes)}:</p>`}
      <pre class="text-preview" tabindex="0">${state.text}</pre>`;
  }
  return html`<section class="preview" aria-label="Preview" data-testid="preview">${body}</section>`;
}
