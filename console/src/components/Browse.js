// Home (the tenants of a "*" credential) and a tenant's namespaces.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, isMissingRoute, withQuery } from '../api.js';
import { bytes } from '../format.js';
import { go, links } from '../router.js';
import { Alert, Loading } from './common.js';

/** Loads a keyset-paginated list: returns {items, more, loadMore, loading, error, missing}. */
export function usePaged(fetchPage, field, deps) {
  const [s, setS] = useState({ items: [], cursor: null, done: false, loading: true, error: null, missing: false });
  const load = async (cursor, prev) => {
    setS((x) => ({ ...x, loading: true, error: null }));
    try {
      const r = await fetchPage(cursor);
      setS({ items: prev.concat(r[field] || []), cursor: r.next_cursor, done: !r.next_cursor, loading: false, error: null, missing: false });
    } catch (e) {
      setS((x) => ({ ...x, loading: false, error: isMissingRoute(e) ? null : e, missing: isMissingRoute(e), done: true }));
    }
  };
  useEffect(() => {
    load(null, []);
  }, deps);
  return { ...s, loadMore: () => load(s.cursor, s.items) };
}

function TenantPicker() {
  const [t, setT] = useState('');
  return html`<form class="inline" onSubmit=${(e) => { e.preventDefault(); if (t.trim()) go(links.tenant(t.trim())); }}>
    <label for="tenant-input">Tenant</label>
    <input id="tenant-input" value=${t} onInput=${(e) => setT(e.currentTarget.value)} />
    <button type="submit">Open</button>
  </form>`;
}

export function Home({ identity, caps }) {
  const own = identity.tenant_id;
  useEffect(() => {
    if (own) go(links.tenant(own), true);
  }, [own]);
  if (own) return html`<${Loading} />`;
  if (own === undefined) {
    return html`<h1>Browse</h1><p>This server did not say which tenant the credential belongs to.</p><${TenantPicker} />`;
  }
  return html`<${Tenants} caps=${caps} />`;
}

function Tenants() {
  const list = usePaged((cursor) => api(withQuery('/v1/tenants', { limit: 100, cursor })), 'tenants', []);
  return html`<h1>Tenants</h1>
    <${Alert} error=${list.error} />
    ${list.missing && html`<p>This server cannot list tenants; open one by name.</p>`}
    ${list.items.length > 0 && html`<div class="table-wrap"><table class="table">
      <thead><tr><th scope="col">Tenant</th><th scope="col" class="num">Objects</th><th scope="col" class="num">Logical</th><th scope="col" class="num">Physical</th></tr></thead>
      <tbody>${list.items.map((t) => html`<tr key=${t.tenant_id}>
        <td><a href=${links.tenant(t.tenant_id)}>${t.tenant_id}</a></td>
        <td class="num">${t.objects}</td><td class="num">${bytes(t.logical_bytes)}</td><td class="num">${bytes(t.physical_bytes)}</td>
      </tr>`)}</tbody></table></div>`}
    ${!list.loading && !list.missing && !list.error && list.items.length === 0 && html`<p>No tenant has objects yet.</p>`}
    ${list.loading && html`<${Loading} what="tenants" />`}
    ${!list.done && !list.loading && html`<button type="button" onClick=${list.loadMore}>Load more tenants</button>`}
    <${TenantPicker} />`;
}

function NewNamespace({ tenant }) {
  const [ns, setNs] = useState('');
  return html`<form class="inline" onSubmit=${(e) => { e.preventDefault(); if (ns.trim()) go(links.namespace(tenant, ns.trim())); }}>
    <label for="new-namespace">New namespace</label>
    <input id="new-namespace" value=${ns} onInput=${(e) => setNs(e.currentTarget.value)} placeholder="e.g. docs" />
    <button type="submit">Open</button>
  </form>`;
}

export function Namespaces({ tenant }) {
  const list = usePaged((cursor) => api(withQuery('/v1/namespaces', { tenant_id: tenant, limit: 100, cursor }), { tenant }), 'namespaces', [tenant]);
  return html`<nav aria-label="Breadcrumb" class="breadcrumb"><ol><li><a href=${links.tenant(tenant)} aria-current="page">${tenant}</a></li></ol></nav>
    <h1>Namespaces of ${tenant}</h1>
    <${Alert} error=${list.error} />
    ${list.missing && html`<p>This server cannot list namespaces; open one by name.</p>`}
    ${list.items.length > 0 && html`<div class="table-wrap"><table class="table">
      <thead><tr><th scope="col">Namespace</th><th scope="col" class="num">Objects</th><th scope="col" class="num">Logical</th><th scope="col" class="num">Physical</th></tr></thead>
      <tbody>${list.items.map((n) => html`<tr key=${n.namespace}>
        <td><a href=${links.namespace(tenant, n.namespace)}>${n.namespace}</a></td>
        <td class="num">${n.objects}</td><td class="num">${bytes(n.logical_bytes)}</td><td class="num">${bytes(n.physical_bytes)}</td>
      </tr>`)}</tbody></table></div>`}
    ${!list.loading && !list.missing && !list.error && list.items.length === 0 && html`<p>No namespace holds objects yet.</p>`}
    ${list.loading && html`<${Loading} what="namespaces" />`}
    ${!list.done && !list.loading && html`<button type="button" onClick=${list.loadMore}>Load more namespaces</button>`}
    <${NewNamespace} tenant=${tenant} />`;
}
