// Who the signed-in credential is: GET /v1/whoami. Never trusted for security: the server
// enforces every scope; this only decides what the console shows.
import { api } from './api.js';

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

/** Loads the identity of the stored credential; throws ApiError (401 for a bad credential). */
export async function loadIdentity() {
  return api('/v1/whoami', { quiet401: true });
}
