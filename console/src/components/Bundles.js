// A tenant's bundles, newest first, each with a "Download ZIP" link (a presigned URL).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, presign, withQuery } from '../api.js';
import { bytes, date } from '../format.js';
import { go, links } from '../router.js';
import { Alert, Loading } from './common.js';
import { usePaged } from './Browse.js';

function ZipLink({ id }) {
  const path = `/v1/bundles/${encodeURIComponent(id)}/download?format=zip`;
  const [url, setUrl] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    presign(path).then((p) => setUrl(p.url), setError);
  }, [id]);
  if (error) return html`<span class="error-text">${error.message}</span>`;
  if (url === null) return html`<span class="muted">…</span>`;
  return html`<a href=${url} download=${`bundle_${id}.zip`}>Download ZIP</a>`;
}

function TenantBundles({ tenant }) {
  const list = usePaged((cursor) => api(withQuery('/v1/bundles', { limit: 50, cursor, tenant_id: tenant }), { tenant }), 'bundles', [tenant]);
  return html`<${Alert} error=${list.error} />
    ${list.items.length > 0 && html`<div class="table-wrap"><table class="table" data-testid="bundles-table">
      <thead><tr><th scope="col">Bundle</th><th scope="col">Created</th><th scope="col" class="num">Files</th><th scope="col" class="num">Size</th><th scope="col">Download</th></tr></thead>
      <tbody>${list.items.map((b) => html`<tr key=${b.id}>
        <td><code class="break">${b.id}</code></td><td>${date(b.created_at)}</td><td class="num">${b.file_count}</td><td class="num">${bytes(b.total_bytes)}</td>
        <td><${ZipLink} id=${b.id} /></td></tr>`)}</tbody></table></div>`}
    ${!list.loading && !list.error && list.items.length === 0 && html`<p>No bundles yet (castorctl push --bundle makes them).</p>`}
    ${list.loading && html`<${Loading} what="bundles" />`}
    ${!list.done && !list.loading && html`<button type="button" onClick=${list.loadMore}>Load more bundles</button>`}`;
}

export function Bundles({ tenant }) {
  const [typed, setTyped] = useState('');
  return html`<h1>Bundles${tenant ? ` of ${tenant}` : ''}</h1>
    ${tenant
      ? html`<${TenantBundles} key=${tenant} tenant=${tenant} />`
      : html`<form class="inline" onSubmit=${(e) => { e.preventDefault(); if (typed.trim()) go(links.bundles(typed.trim())); }}>
          <label for="bundle-tenant">Tenant</label><input id="bundle-tenant" value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} />
          <button type="submit">Open</button></form>`}`;
}
