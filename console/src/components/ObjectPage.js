// One object: details, preview, download (presigned), copyable curl/castorctl commands, delete.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { api, presign, withQuery } from '../api.js';
import { objectCache } from '../objects.js';
import { bytes, date, dirname, lastSegment } from '../format.js';
import { go, links } from '../router.js';
import { Alert, ConfirmDialog, CopyButton, Loading } from './common.js';
import { Breadcrumb } from './ObjectBrowser.js';
import { Preview } from './Preview.js';

/** The object JSON by id: from the listing cache, else HEAD (its hash) + list by content hash. */
async function loadObject(tenant, id) {
  const cached = objectCache.get(id);
  if (cached) return cached;
  const path = withQuery(`/v1/objects/${encodeURIComponent(id)}`, { tenant_id: tenant });
  const res = await api(path, { method: 'HEAD', raw: true, tenant });
  const hash = (res.headers.get('X-Content-Hash') || (res.headers.get('ETag') || '').replace(/"/g, '')).replace(/^sha256:/, '');
  let cursor = null;
  for (let page = 0; page < 20; page++) {
    const r = await api(withQuery('/v1/objects', { tenant_id: tenant, content_hash: hash, limit: 1000, cursor }), { tenant });
    const o = r.objects.find((x) => x.id === id);
    if (o) return o;
    if (!r.next_cursor) break;
    cursor = r.next_cursor;
  }
  const err = new Error('This object was not found.');
  err.status = 404;
  throw err;
}

const shq = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function deleteBlock(obj) {
  if (obj.legal_hold) return 'Under legal hold: it cannot be deleted until the hold is lifted.';
  const r = obj.retention;
  if (r && r.retain_until && Date.parse(r.retain_until) > Date.now()) {
    return `Retained (${r.mode}) until ${date(r.retain_until)}: it cannot be deleted before.`;
  }
  return null;
}

function Download({ path, name }) {
  const [link, setLink] = useState(null);
  const [error, setError] = useState(null);
  const refresh = () => presign(path).then(setLink, setError);
  useEffect(() => {
    refresh();
  }, [path]);
  const onClick = (e) => {
    if (link && link.expiresAt - Date.now() < 5000) {
      e.preventDefault();
      presign(path).then((l) => {
        setLink(l);
        const a = document.createElement('a');
        a.href = l.url;
        a.download = name;
        a.click();
      }, setError);
    }
  };
  if (error) return html`<${Alert} error=${error} />`;
  if (!link) return html`<span class="muted">Preparing the download link…</span>`;
  return html`<a class="button primary" href=${link.url} download=${name} onClick=${onClick}
    title=${`A link valid until ${date(new Date(link.expiresAt).toISOString())}, without your credential`}>Download</a>`;
}

export function ObjectPage({ route, caps }) {
  const { tenant, namespace, id } = route;
  const [obj, setObj] = useState(null);
  const [error, setError] = useState(null);
  const [confirm, setConfirm] = useState(false);

  useEffect(() => {
    loadObject(tenant, id).then(setObj, setError);
  }, [tenant, id]);

  if (error) return html`<${Breadcrumb} tenant=${tenant} namespace=${namespace} /><${Alert} error=${error} />`;
  if (!obj) return html`<${Loading} what="the object" />`;

  const title = obj.key ?? obj.id;
  const name = obj.key ? lastSegment(obj.key) || obj.id : obj.id;
  const contentPath = withQuery(`/v1/objects/${encodeURIComponent(obj.id)}`, { tenant_id: tenant });
  const origin = location.origin;
  const curl = `curl -fH "Authorization: Bearer $CASTOR_API_KEY" -o ${shq(name)} ${shq(origin + contentPath)}`;
  const ctl = `CASTOR_URL=${shq(origin)} castorctl -n ${shq(namespace)} -t ${shq(tenant)} get ${obj.key ? '--key ' + shq(obj.key) : shq(obj.id)} ${shq(name)}`;
  const blocked = deleteBlock(obj);
  const hash = String(obj.content_hash || '').replace(/^sha256:/, '');
  const meta = Object.entries(obj.metadata || {});

  const doDelete = async () => {
    await api(contentPath, { method: 'DELETE', tenant });
    objectCache.delete(obj.id);
    go(links.namespace(tenant, namespace, obj.key ? dirname(obj.key) : ''));
  };

  return html`<${Breadcrumb} tenant=${tenant} namespace=${namespace} prefix=${obj.key ? dirname(obj.key) : ''} current=${name} />
    <h1 class="title break">${title}</h1>
    <div class="object-layout">
      <section aria-label="Details" class="card">
        <dl class="details" data-testid="object-details">
          <dt>Size</dt><dd>${bytes(obj.size_bytes)} (${obj.size_bytes} bytes)</dd>
          <dt>SHA-256</dt><dd><code class="break">${hash}</code></dd>
          <dt>Storage class</dt><dd>${obj.storage_class}</dd>
          <dt>Content type</dt><dd>${obj.content_type}</dd>
          ${obj.content_disposition && html`<dt>Content disposition</dt><dd>${obj.content_disposition}</dd>`}
          <dt>Created</dt><dd><time datetime=${obj.created_at}>${date(obj.created_at)}</time></dd>
          <dt>Updated</dt><dd><time datetime=${obj.updated_at}>${date(obj.updated_at)}</time></dd>
          <dt>Object id</dt><dd><code class="break">${obj.id}</code></dd>
          <dt>Retention</dt><dd>${obj.retention ? `${obj.retention.mode} until ${date(obj.retention.retain_until)}` : 'none'}${obj.legal_hold ? ' · legal hold' : ''}</dd>
          <dt>Metadata</dt><dd>${meta.length === 0 ? html`<span class="muted">none</span>` : html`<dl class="meta">${meta.map(([k, v]) => html`<dt>${k}</dt><dd>${typeof v === 'string' ? v : JSON.stringify(v)}</dd>`)}</dl>`}</dd>
        </dl>
        <div class="actions">
          <${Download} path=${contentPath} name=${name} />
          ${caps.delete && html`<button type="button" class="danger" disabled=${!!blocked} aria-describedby=${blocked ? 'delete-reason' : undefined} onClick=${() => setConfirm(true)}>Delete</button>`}
        </div>
        ${caps.delete && blocked && html`<p id="delete-reason" class="muted">${blocked}</p>`}
        <div class="commands">
          <div class="command"><code>${curl}</code><${CopyButton} text=${curl} label="Copy curl command" /></div>
          <div class="command"><code>${ctl}</code><${CopyButton} text=${ctl} label="Copy castorctl command" /></div>
          <p class="muted small">Set CASTOR_API_KEY to your key first; the console never puts it in a command.</p>
        </div>
      </section>
      <${Preview} obj=${obj} contentPath=${contentPath} />
    </div>
    ${confirm && html`<${ConfirmDialog} title=${`Delete ${title}?`} confirmLabel="Delete" onCancel=${() => setConfirm(false)} onConfirm=${doDelete}>
      <p>Delete <strong class="break">${title}</strong> from ${namespace}? This cannot be undone.</p>
    </${ConfirmDialog}>`}`;
}
