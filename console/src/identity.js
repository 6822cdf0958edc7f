// Who the signed-in credential is: GET /v1/whoami, or (older servers without it) a best guess
// from the JWT claims, the API-key list, or a search probe. Never trusted for security: the
// server enforces every scope; this only decides what the console shows.
import { api, ApiError, isMissingRoute } from './api.js';

const ALL_OBJECT_SCOPES = ['objects:read', 'objects:write', 'objects:delete'];

/** Capabilities derived from an identity's scopes (admin implies everything). */
export function capabilities(identity) {
  const s = new Set(identity.scopes || []);
  const admin = s.has('admin');
  return {
    admin,
    read: admin || s.has('objects:read'),
    write: admin || s.has('objects:write'),
    delete: admin || s.has('objects:delete'),
    manageKeys: admin || s.has('keys:manage'),
    star: identity.tenant_id === null,
  };
}

function decodeJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    return JSON.parse(json);
  } catch {
    return null;
  }
}

// Scope probes on an object id that cannot exist: the route's scope check answers 403 before
// the lookup answers 404, so nothing is changed either way.
const NO_OBJECT = '/v1/objects/00000000-0000-4000-8000-000000000000';

async function probe(path, method, body) {
  try {
    await api(path, { method, body, quiet401: true });
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    return !(e instanceof ApiError && e.status === 403);
  }
}

async function probeScopes() {
  const [write, del] = await Promise.all([
    probe(`${NO_OBJECT}/metadata`, 'PATCH', { metadata: {} }),
    probe(NO_OBJECT, 'DELETE'),
  ]);
  return ALL_OBJECT_SCOPES.filter((s) => s === 'objects:read' || (s === 'objects:write' && write) || (s === 'objects:delete' && del));
}

async function guessIdentity(token) {
  const claims = decodeJwt(token);
  if (claims) {
    // Prove the token works (401 otherwise) with a cheap authenticated call.
    await api('/v1/objects/search', { method: 'POST', body: { limit: 1 }, quiet401: true }).catch((e) => {
      if (e instanceof ApiError && e.status === 401) throw e;
    });
    const tenant = claims.tenant === '*' ? null : claims.tenant ?? null;
    return {
      credential: `jwt:${claims.sub ?? '?'}`,
      tenant_id: tenant,
      scopes: String(claims.scope || '').split(/\s+/).filter(Boolean),
      namespaces: [],
      expires_at: claims.exp ? new Date(claims.exp * 1000).toISOString() : null,
      guessed: true,
    };
  }
  const m = /^cst_([a-z0-9]+)_/.exec(token);
  const id = m ? m[1] : null;
  try {
    const list = await api('/v1/admin/api-keys', { quiet401: true });
    const mine = (list.api_keys || []).find((k) => k.id === id);
    if (mine) {
      return {
        credential: `key:${id}`,
        tenant_id: mine.tenant === '*' ? null : mine.tenant,
        scopes: mine.scopes,
        namespaces: mine.namespaces || [],
        expires_at: mine.expires_at,
        guessed: true,
      };
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
  }
  const scopes = await probeScopes();
  let tenant;
  try {
    const r = await api('/v1/objects/search', { method: 'POST', body: { limit: 1 }, quiet401: true });
    tenant = r.objects.length ? r.objects[0].tenant_id : undefined;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) throw e;
    tenant = null; // tenant_id required: a "*" credential
  }
  return {
    credential: id ? `key:${id}` : 'credential',
    tenant_id: tenant,
    scopes,
    namespaces: [],
    expires_at: null,
    guessed: true,
  };
}

/** Loads the identity of the stored credential; throws ApiError (401 for a bad credential). */
export async function loadIdentity(token) {
  try {
    return await api('/v1/whoami', { quiet401: true });
  } catch (e) {
    if (isMissingRoute(e)) return guessIdentity(token);
    throw e;
  }
}
