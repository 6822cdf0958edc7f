// Usage: a tenant's bytes and objects per storage class and per namespace, the dedup ratio
// (logical / physical), a bar chart per namespace, and (admins) the GC activity of this process.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, isMissingRoute, withQuery } from '../api.js';
import { bytes, date } from '../format.js';
import { Alert, Loading } from './common.js';
import { BarChart } from './Chart.js';

const ratio = (l, p) => (p > 0 ? `${(l / p).toFixed(2)}×` : '—');

function TenantSelect({ tenant, onChange }) {
  const [tenants, setTenants] = useState(null);
  useEffect(() => {
    api(withQuery('/v1/tenants', { limit: 1000 })).then((r) => {
      setTenants(r.tenants.map((t) => t.tenant_id));
      if (!tenant && r.tenants.length) onChange(r.tenants[0].tenant_id);
    }, () => setTenants([]));
  }, []);
  const [typed, setTyped] = useState('');
  if (tenants && tenants.length) {
    return html`<div class="field"><label for="usage-tenant-select">Tenant</label>
      <select id="usage-tenant-select" value=${tenant || ''} onChange=${(e) => onChange(e.currentTarget.value)}>
        ${tenants.map((t) => html`<option value=${t}>${t}</option>`)}
      </select></div>`;
  }
  return html`<form class="inline" onSubmit=${(e) => { e.preventDefault(); onChange(typed.trim()); }}>
    <label for="usage-tenant">Tenant</label><input id="usage-tenant" value=${typed} onInput=${(e) => setTyped(e.currentTarget.value)} />
    <button type="submit">Show</button></form>`;
}

function TenantUsage({ tenant }) {
  const [usage, setUsage] = useState(null);
  const [namespaces, setNamespaces] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    setUsage(null);
    setNamespaces(null);
    setError(null);
    api(`/v1/tenants/${encodeURIComponent(tenant)}/usage`, { tenant }).then(setUsage, setError);
    api(withQuery('/v1/namespaces', { tenant_id: tenant, limit: 1000 }), { tenant }).then(
      (r) => setNamespaces(r.namespaces),
      (e) => setNamespaces(isMissingRoute(e) ? 'missing' : (setError(e), [])),
    );
  }, [tenant]);
  if (error) return html`<${Alert} error=${error} />`;
  if (!usage) return html`<${Loading} what="usage" />`;
  const classes = Object.entries(usage.storage_classes || {});
  const nsRows = Array.isArray(namespaces) ? namespaces : [];
  const byNamespace = nsRows.length > 0;
  const chartRows = byNamespace
    ? nsRows.slice().sort((a, b) => b.logical_bytes - a.logical_bytes).slice(0, 20)
      .map((n) => ({ label: n.namespace, logical: n.logical_bytes, physical: n.physical_bytes }))
    : classes.map(([c, u]) => ({ label: c, logical: u.logical_bytes, physical: u.physical_bytes }));
  const chartTitle = byNamespace
    ? `Bytes per namespace of ${tenant} (largest ${chartRows.length})`
    : `Bytes per storage class of ${tenant}`;
  return html`<div class="figures">
      <div class="figure"><span class="figure-value">${usage.objects}</span><span class="muted">objects</span></div>
      <div class="figure"><span class="figure-value">${bytes(usage.logical_bytes)}</span><span class="muted">logical</span></div>
      <div class="figure"><span class="figure-value">${bytes(usage.physical_bytes)}</span><span class="muted">physical</span></div>
      <div class="figure"><span class="figure-value" data-testid="dedup-ratio">${ratio(usage.logical_bytes, usage.physical_bytes)}</span><span class="muted">dedup ratio</span></div>
    </div>
    <${BarChart} rows=${chartRows} title=${chartTitle} />
    <h2>By storage class</h2>
    <div class="table-wrap"><table class="table"><thead><tr><th scope="col">Class</th><th scope="col" class="num">Objects</th><th scope="col" class="num">Logical</th><th scope="col" class="num">Physical</th><th scope="col" class="num">Dedup</th></tr></thead>
      <tbody>${classes.map(([c, u]) => html`<tr key=${c}><th scope="row">${c}</th><td class="num">${u.objects}</td><td class="num">${bytes(u.logical_bytes)}</td><td class="num">${bytes(u.physical_bytes)}</td><td class="num">${ratio(u.logical_bytes, u.physical_bytes)}</td></tr>`)}</tbody></table></div>
    <h2>By namespace</h2>
    ${namespaces === null && html`<${Loading} what="namespaces" />`}
    ${namespaces === 'missing' && html`<p class="muted">This server cannot list namespaces.</p>`}
    ${nsRows.length > 0 && html`<div class="table-wrap"><table class="table"><thead><tr><th scope="col">Namespace</th><th scope="col" class="num">Objects</th><th scope="col" class="num">Logical</th><th scope="col" class="num">Physical</th><th scope="col" class="num">Hot</th><th scope="col" class="num">Cold</th><th scope="col" class="num">Dedup</th></tr></thead>
      <tbody>${nsRows.map((n) => html`<tr key=${n.namespace}><th scope="row">${n.namespace}</th><td class="num">${n.objects}</td><td class="num">${bytes(n.logical_bytes)}</td><td class="num">${bytes(n.physical_bytes)}</td>
        <td class="num">${bytes(n.storage_classes?.hot?.logical_bytes)}</td><td class="num">${bytes(n.storage_classes?.cold?.logical_bytes)}</td><td class="num">${ratio(n.logical_bytes, n.physical_bytes)}</td></tr>`)}</tbody></table></div>`}
    ${Array.isArray(namespaces) && nsRows.length === 0 && html`<p class="muted">No namespace holds objects.</p>`}`;
}

function GcActivity() {
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);
  const [running, setRunning] = useState(false);
  const load = () => api('/v1/admin/gc').then(setData, (e) => (isMissingRoute(e) || e.status === 405 ? setData('missing') : setError(e)));
  useEffect(() => {
    load();
  }, []);
  const runNow = async () => {
    setRunning(true);
    setError(null);
    try {
      const r = await api('/v1/admin/gc', { method: 'POST' });
      if (data === 'missing') setData({ cycles: [{ started_at: new Date().toISOString(), duration_ms: null, ...r }], interval_seconds: null, local: true });
      else await load();
    } catch (e) {
      setError(e);
    }
    setRunning(false);
  };
  const cycles = data && data !== 'missing' ? data.cycles : [];
  const cols = cycles.length ? Object.keys(cycles[0]).filter((k) => k !== 'started_at' && k !== 'duration_ms') : [];
  return html`<section aria-labelledby="gc-title">
    <h2 id="gc-title">Garbage collection (this server process)</h2>
    <${Alert} error=${error} />
    ${data === 'missing' && html`<p class="muted">This server keeps no GC history.</p>`}
    ${data && data !== 'missing' && html`<p class="muted">${data.interval_seconds ? `Runs every ${data.interval_seconds} s.` : 'No background schedule.'} Newest first; the history is kept per process.</p>`}
    ${cycles.length > 0 && html`<div class="table-wrap"><table class="table" data-testid="gc-table"><thead><tr><th scope="col">Started</th><th scope="col" class="num">ms</th>
      ${cols.map((c) => html`<th scope="col" class="num">${c.replace(/_/g, ' ')}</th>`)}</tr></thead>
      <tbody>${cycles.map((c, i) => html`<tr key=${i}><td>${date(c.started_at)}</td><td class="num">${c.duration_ms ?? '—'}</td>
        ${cols.map((k) => html`<td class="num">${k === 'reclaimed_bytes' ? bytes(c[k]) : String(c[k])}</td>`)}</tr>`)}</tbody></table></div>`}
    ${data && data !== 'missing' && cycles.length === 0 && html`<p class="muted">No cycle yet.</p>`}
    <button type="button" onClick=${runNow} disabled=${running}>Run a GC cycle now</button>
  </section>`;
}

export function Usage({ identity, caps }) {
  const own = identity.tenant_id;
  const [tenant, setTenant] = useState(own || null);
  return html`<h1>Usage</h1>
    ${!own && html`<${TenantSelect} tenant=${tenant} onChange=${setTenant} />`}
    ${tenant ? html`<${TenantUsage} key=${tenant} tenant=${tenant} />` : html`<p class="muted">Choose a tenant.</p>`}
    ${caps.admin && caps.star && html`<${GcActivity} />`}`;
}
