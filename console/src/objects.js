// Object listing pages for the browser, by view: folders by "/" (sort Name), natural order,
// size or date (search API), or a key/metadata search. Each page: {rows, next}.
import { api, withQuery } from './api.js';

export const PAGE_SIZE = 1000;

/** Object JSONs seen in listings, by id, so the object page can show them without a lookup. */
export const objectCache = new Map();

function remember(objects) {
  for (const o of objects) objectCache.set(o.id, o);
  if (objectCache.size > 5000) objectCache.clear();
  return objects;
}

const asObjectRow = (o) => ({ type: 'object', key: o.key ?? '', id: o.id, obj: o });

/** True when the view lists every object under the prefix (no folders). */
export function isFlat(view) {
  return view.search !== '' || view.sort !== 'name';
}

/**
 * Fetches one page of the view {tenant, namespace, prefix, sort, search, searchMetadata}.
 * cursor null = first page. Throws ApiError.
 */
export async function fetchPage(view, cursor) {
  const { tenant, namespace, prefix } = view;
  if (view.search !== '' || view.sort === 'size' || view.sort === 'date') {
    const body = { namespace, tenant_id: tenant, limit: PAGE_SIZE };
    if (prefix) body.key_prefix = prefix;
    if (cursor) body.cursor = cursor;
    if (view.search !== '') {
      if (view.searchMetadata) body.query = view.search;
      else body.key_contains = view.search;
    }
    if (view.sort === 'size') Object.assign(body, { sort_by: 'size_bytes', sort_direction: 'desc' });
    else if (view.sort === 'date') Object.assign(body, { sort_by: 'created_at', sort_direction: 'desc' });
    else body.sort_by = 'key';
    const r = await api('/v1/objects/search', { method: 'POST', body, tenant });
    return { rows: remember(r.objects).map(asObjectRow), next: r.next_cursor };
  }
  const params = { namespace, tenant_id: tenant, prefix, limit: PAGE_SIZE, cursor };
  if (view.sort === 'natural') params.sort = 'natural';
  else params.delimiter = '/';
  const r = await api(withQuery('/v1/objects', params), { tenant });
  const rows = remember(r.objects).map(asObjectRow);
  for (const p of r.common_prefixes || []) rows.push({ type: 'folder', key: p });
  if (params.delimiter) rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { rows, next: r.next_cursor };
}
