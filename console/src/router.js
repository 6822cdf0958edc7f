// Hash routing: #/, #/t/<tenant>, #/t/<tenant>/ns/<ns>[/p/<prefix>], #/t/<tenant>/ns/<ns>/o/<id>,
// #/t/<tenant>/bundles, #/bundles, #/usage, #/keys. Segments are encodeURIComponent-encoded.
import { useEffect, useState } from 'preact/hooks';

const enc = encodeURIComponent;

export const links = {
  home: () => '#/',
  tenant: (t) => `#/t/${enc(t)}`,
  namespace: (t, ns, prefix) => `#/t/${enc(t)}/ns/${enc(ns)}` + (prefix ? `/p/${enc(prefix)}` : ''),
  object: (t, ns, id) => `#/t/${enc(t)}/ns/${enc(ns)}/o/${enc(id)}`,
  bundles: (t) => (t ? `#/t/${enc(t)}/bundles` : '#/bundles'),
  usage: () => '#/usage',
  keys: () => '#/keys',
};

function dec(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parses a location hash into {name, tenant?, namespace?, prefix?, id?}. */
export function parseHash(hash) {
  const parts = (hash || '').replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  const seg = parts.map(dec);
  if (seg.length === 0) return { name: 'home' };
  if (seg[0] === 'usage' && seg.length === 1) return { name: 'usage' };
  if (seg[0] === 'keys' && seg.length === 1) return { name: 'keys' };
  if (seg[0] === 'bundles' && seg.length === 1) return { name: 'bundles' };
  if (seg[0] === 't' && seg.length >= 2) {
    const tenant = seg[1];
    if (seg.length === 2) return { name: 'tenant', tenant };
    if (seg[2] === 'bundles' && seg.length === 3) return { name: 'bundles', tenant };
    if (seg[2] === 'ns' && seg.length >= 4) {
      const namespace = seg[3];
      if (seg.length === 4) return { name: 'objects', tenant, namespace, prefix: '' };
      if (seg[4] === 'p' && seg.length === 6) return { name: 'objects', tenant, namespace, prefix: seg[5] };
      if (seg[4] === 'o' && seg.length === 6) return { name: 'object', tenant, namespace, id: seg[5] };
    }
  }
  return { name: 'notfound' };
}

/** The current route; re-renders on hashchange. */
export function useRoute() {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Navigates (replace = no new history entry). */
export function go(hash, replace = false) {
  if (replace) {
    location.replace(hash); // fires hashchange (asynchronously) without a new history entry
  } else {
    location.hash = hash;
  }
}
