// A namespace's objects under a prefix: breadcrumb, sort and search, the upload drop zone, and
// the virtually scrolled, page-on-demand list.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { fetchPage, isFlat, PAGE_SIZE } from '../objects.js';
import { bytes, date, lastSegment } from '../format.js';
import { links } from '../router.js';
import { uploads } from '../upload/manager.js';
import { Alert } from './common.js';
import { VirtualList } from './VirtualList.js';
import { DropZone } from './Uploads.js';

export function Breadcrumb({ tenant, namespace, prefix, current }) {
  const crumbs = [{ href: links.tenant(tenant), text: tenant }];
  if (namespace !== undefined) crumbs.push({ href: links.namespace(tenant, namespace), text: namespace });
  let acc = '';
  for (const part of (prefix || '').split('/').filter(Boolean)) {
    acc += part + '/';
    crumbs.push({ href: links.namespace(tenant, namespace, acc), text: part + '/' });
  }
  return html`<nav aria-label="Breadcrumb" class="breadcrumb"><ol>
    ${crumbs.map((c, i) => html`<li key=${c.href}><a href=${c.href} aria-current=${!current && i === crumbs.length - 1 ? 'page' : undefined}>${c.text}</a></li>`)}
    ${current && html`<li><span aria-current="page">${current}</span></li>`}
  </ol></nav>`;
}

/** Pages of one view, fetched on demand; reset when the view changes or on reload(). */
function useListing(view) {
  const [s, setS] = useState({ rows: [], cursor: null, done: false, loading: true, error: null });
  const gen = useRef(0);
  const seen = useRef(new Set());

  const loadFrom = async (g, cursor, base) => {
    setS((x) => ({ ...x, loading: true }));
    try {
      const page = await fetchPage(view, cursor);
      if (g !== gen.current) return;
      const fresh = page.rows.filter((r) => {
        const id = r.type === 'folder' ? 'f:' + r.key : 'o:' + r.id;
        if (seen.current.has(id)) return false;
        seen.current.add(id);
        return true;
      });
      setS({ rows: base.concat(fresh), cursor: page.next, done: !page.next, loading: false, error: null });
    } catch (e) {
      if (g !== gen.current) return;
      setS((x) => ({ ...x, loading: false, done: true, error: e }));
    }
  };

  const reset = () => {
    gen.current++;
    seen.current = new Set();
    setS({ rows: [], cursor: null, done: false, loading: true, error: null });
    loadFrom(gen.current, null, []);
  };

  const key = JSON.stringify(view);
  useEffect(reset, [key]);
  return {
    ...s,
    reload: reset,
    more: () => {
      if (!s.loading && !s.done && s.cursor) loadFrom(gen.current, s.cursor, s.rows);
    },
  };
}

export function ObjectBrowser({ route, caps }) {
  const { tenant, namespace, prefix } = route;
  const [sort, setSort] = useState('name');
  const [searchInput, setSearchInput] = useState('');
  const [search, setSearch] = useState('');
  const [searchMetadata, setSearchMetadata] = useState(false);
  const view = { tenant, namespace, prefix, sort, search, searchMetadata };
  const list = useListing(view);

  // A search belongs to the folder it was typed in.
  useEffect(() => {
    setSearchInput('');
    setSearch('');
  }, [prefix]);

  // Debounced search as the user types.
  useEffect(() => {
    const t = setTimeout(() => setSearch(searchInput.trim()), 300);
    return () => clearTimeout(t);
  }, [searchInput]);

  // Refresh when an upload into this namespace finishes.
  const reloadRef = useRef(list.reload);
  reloadRef.current = list.reload;
  useEffect(() => {
    let timer = null;
    return uploads.onDone((item) => {
      if (item.tenant !== tenant || item.namespace !== namespace || timer) return;
      timer = setTimeout(() => {
        timer = null;
        reloadRef.current();
      }, 300);
    });
  }, [tenant, namespace]);

  const renderRow = (row, i, top) => {
    if (!row) return html`<div key=${'p' + i} class="row placeholder" data-index=${i} style=${{ top: `${top}px` }} aria-hidden="true"></div>`;
    const flat = isFlat(view);
    if (row.type === 'folder') {
      return html`<div key=${'f' + row.key} class="row folder" role="listitem" data-testid="folder-row" data-key=${row.key} data-index=${i} style=${{ top: `${top}px` }}>
        <span class="icon" aria-hidden="true">▸</span><a class="name" href=${links.namespace(tenant, namespace, row.key)}>${lastSegment(row.key)}</a>
        <span class="size muted">folder</span><span class="date"></span>
      </div>`;
    }
    const o = row.obj;
    const name = o.key === null || o.key === undefined ? o.id : flat ? o.key.slice(prefix.length) || o.key : lastSegment(o.key);
    return html`<div key=${'o' + o.id} class="row object" role="listitem" data-testid="object-row" data-key=${o.key ?? ''} data-index=${i} style=${{ top: `${top}px` }}>
      <a class="name" href=${links.object(tenant, namespace, o.id)}>${name}</a>
      <span class="size">${bytes(o.size_bytes)}</span>
      <span class="date muted">${date(o.created_at)}</span>
    </div>`;
  };

  const flat = isFlat(view);
  return html`<${Breadcrumb} tenant=${tenant} namespace=${namespace} prefix=${prefix} />
    <h1 class="title">${prefix ? `${namespace}/${prefix}` : namespace}</h1>
    <div class="toolbar">
      <div class="field"><label for="sort-by">Sort by</label>
        <select id="sort-by" value=${sort} onChange=${(e) => setSort(e.currentTarget.value)}>
          <option value="name">Name</option>
          <option value="natural">Natural</option>
          <option value="size">Size</option>
          <option value="date">Date</option>
        </select>
      </div>
      <div class="field grow"><label for="search">Search</label>
        <input id="search" type="search" value=${searchInput} placeholder=${prefix ? `keys under ${prefix}` : 'keys in this namespace'}
          onInput=${(e) => setSearchInput(e.currentTarget.value)} />
      </div>
      <label class="check"><input type="checkbox" checked=${searchMetadata} onChange=${(e) => setSearchMetadata(e.currentTarget.checked)} /> Match metadata too</label>
      <button type="button" onClick=${list.reload}>Refresh</button>
    </div>
    <p class="note" aria-live="polite">${flat
      ? (search ? `Search results for “${search}”${prefix ? ` under ${prefix}` : ''}: ` : '') +
        `flat view (every object under this folder, no folders), ${sort === 'size' ? 'largest first' : sort === 'date' ? 'newest first' : sort === 'natural' ? 'natural order' : 'by key'}.`
      : 'Folders by “/”, in key order.'}
      ${` ${list.rows.length}${list.done ? '' : '+'} shown.`}</p>
    <${Alert} error=${list.error} />
    ${caps.write && html`<${DropZone} tenant=${tenant} namespace=${namespace} prefix=${prefix} />`}
    <${VirtualList} rows=${list.rows} done=${list.done} loading=${list.loading} pageSize=${PAGE_SIZE}
      onNearEnd=${list.more} renderRow=${renderRow} label="Objects"
      emptyText=${search ? 'Nothing matches.' : 'No objects here yet.'} />`;
}
