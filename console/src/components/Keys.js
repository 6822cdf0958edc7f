// API keys (admin or keys:manage): create (the secret shown once, with a Copy button), list,
// revoke with a confirmation. GET/POST/DELETE /v1/admin/api-keys (docs/API_KEYS.md).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api } from '../api.js';
import { date } from '../format.js';
import { Alert, ConfirmDialog, CopyButton, Loading } from './common.js';

const SCOPES = ['objects:read', 'objects:write', 'objects:delete', 'keys:manage', 'admin'];
const EXPIRIES = [
  ['', 'Never'],
  ['3600', '1 hour'],
  ['86400', '1 day'],
  ['604800', '7 days'],
  ['2592000', '30 days'],
  ['7776000', '90 days'],
];

function CreateKey({ identity, caps, onCreated }) {
  const star = identity.tenant_id === null;
  const [tenant, setTenant] = useState(star ? '' : identity.tenant_id || '');
  const [scopes, setScopes] = useState(new Set(['objects:read']));
  const [name, setName] = useState('');
  const [namespaces, setNamespaces] = useState('');
  const [expiry, setExpiry] = useState('');
  const [secret, setSecret] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const offered = SCOPES.filter((s) => caps.admin || s === 'keys:manage' || identity.scopes.includes(s));

  const toggle = (s) => {
    const next = new Set(scopes);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    setScopes(next);
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSecret(null);
    const body = { scopes: SCOPES.filter((s) => scopes.has(s)), name };
    if (tenant.trim()) body.tenant = tenant.trim();
    const ns = namespaces.split(',').map((s) => s.trim()).filter(Boolean);
    if (ns.length) body.namespaces = ns;
    if (expiry) body.expires_in_seconds = Number(expiry);
    try {
      const r = await api('/v1/admin/api-keys', { method: 'POST', body });
      setSecret({ key: r.key, id: r.id });
      setName('');
      onCreated();
    } catch (err) {
      setError(err);
    }
    setBusy(false);
  };
  return html`<form aria-label="Create API key" class="card form-grid" onSubmit=${submit}>
    <h2>Create API key</h2>
    <label for="key-tenant">Tenant</label>
    <input id="key-tenant" value=${tenant} readonly=${!star} placeholder=${star ? 'a tenant, or * for every tenant' : ''} onInput=${(e) => setTenant(e.currentTarget.value)} required=${star} />
    <fieldset><legend>Scopes</legend>
      ${offered.map((s) => html`<label class="check" key=${s}><input type="checkbox" checked=${scopes.has(s)} onChange=${() => toggle(s)} /> ${s}</label>`)}
    </fieldset>
    <label for="key-name">Name</label>
    <input id="key-name" value=${name} maxlength="128" onInput=${(e) => setName(e.currentTarget.value)} placeholder="e.g. ci-uploader" />
    <label for="key-namespaces">Restrict to</label>
    <input id="key-namespaces" aria-describedby="key-namespaces-hint" value=${namespaces} onInput=${(e) => setNamespaces(e.currentTarget.value)} />
    <span id="key-namespaces-hint" class="muted small">Namespaces, comma-separated; empty: every namespace.</span>
    <label for="key-expiry">Expires</label>
    <select id="key-expiry" value=${expiry} onChange=${(e) => setExpiry(e.currentTarget.value)}>
      ${EXPIRIES.map(([v, t]) => html`<option value=${v}>${t}</option>`)}
    </select>
    <div><button type="submit" class="primary" disabled=${busy || scopes.size === 0}>Create API key</button></div>
    <${Alert} error=${error} />
    ${secret && html`<div class="secret" role="status">
      <p>Key <code>${secret.id}</code> created. Its secret is shown only this once:</p>
      <code data-testid="new-secret" class="break">${secret.key}</code>
      <${CopyButton} text=${secret.key} label="Copy" />
    </div>`}
  </form>`;
}

export function Keys({ identity, caps }) {
  const [keys, setKeys] = useState(null);
  const [error, setError] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const load = () => api('/v1/admin/api-keys').then((r) => setKeys(r.api_keys || r.keys || []), setError);
  useEffect(() => {
    load();
  }, []);
  const revoke = async () => {
    await api(`/v1/admin/api-keys/${encodeURIComponent(revoking.id)}`, { method: 'DELETE' });
    setRevoking(null);
    await load();
  };
  return html`<h1>API keys</h1>
    <${CreateKey} identity=${identity} caps=${caps} onCreated=${load} />
    <h2>Keys</h2>
    <${Alert} error=${error} />
    ${!keys && !error && html`<${Loading} what="keys" />`}
    ${keys && html`<div class="table-wrap"><table class="table" data-testid="keys-table">
      <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Tenant</th><th scope="col">Scopes</th><th scope="col">Namespaces</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${keys.map((k) => html`<tr key=${k.id} data-key-id=${k.id}>
        <td><code>${k.id}</code></td><td>${k.name}</td><td>${k.tenant}</td><td>${k.scopes.join(' ')}</td>
        <td>${k.namespaces ? k.namespaces.join(', ') : 'all'}</td><td>${date(k.created_at)}</td><td>${k.expires_at ? date(k.expires_at) : 'never'}</td>
        <td>${k.revoked_at ? `revoked ${date(k.revoked_at)}` : 'active'}</td>
        <td>${!k.revoked_at && html`<button type="button" class="danger" onClick=${() => setRevoking(k)}>Revoke</button>`}</td>
      </tr>`)}</tbody></table></div>`}
    ${revoking && html`<${ConfirmDialog} title=${`Revoke key ${revoking.id}?`} confirmLabel="Revoke" onCancel=${() => setRevoking(null)} onConfirm=${revoke}>
      <p>Requests with key <code>${revoking.id}</code>${revoking.name ? ` (${revoking.name})` : ''} will be refused from now on. This cannot be undone.</p>
    </${ConfirmDialog}>`}`;
}
