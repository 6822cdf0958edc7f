// Steps 9b-9e: an admin credential: API keys, usage, phone width and dark mode, tenants.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CASTOR_URL, KEY_ADMIN, UPLOAD_NS, page, shot, go, signIn, row,
} from './harness.mjs';
import { poll, api } from './lib.mjs';

test('9b. admin: create an API key (secret shown once, works), revoke it (refused)', async () => {
  await signIn(KEY_ADMIN, /^(#\/?)?$/);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'API keys', exact: true }).click();
  const form = page.getByRole('form', { name: 'Create API key' });
  await form.waitFor({ timeout: 15000 });
  // Create a read-only key for t1: its secret is shown once and works; then revoke it: it stops.
  await form.getByLabel('Tenant', { exact: true }).fill('t1');
  await form.getByRole('checkbox', { name: 'objects:read', exact: true }).check();
  await form.getByLabel('Name', { exact: true }).fill('made-in-console');
  await form.getByRole('button', { name: 'Create API key', exact: true }).click();
  const secretEl = page.getByTestId('new-secret');
  await secretEl.waitFor({ timeout: 15000 });
  const secret = (await secretEl.textContent()).trim();
  assert.match(secret, /^cst_[a-z0-9]+_\S+$/, 'the new secret is shown');
  await page.getByRole('button', { name: 'Copy', exact: true }).waitFor({ timeout: 5000 });
  const probe = () => api(CASTOR_URL, secret, '/v1/objects?namespace=bulk&limit=1');
  assert.equal((await probe()).status, 200, 'the new key works');
  await shot('11-api-keys');
  const keyId = secret.split('_')[1];
  const keyRow = page.getByRole('row').filter({ hasText: keyId });
  await keyRow.getByRole('button', { name: 'Revoke', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: 5000 });
  assert.match(await dialog.textContent(), new RegExp(keyId), 'the dialog names the key');
  await dialog.getByRole('button', { name: 'Revoke', exact: true }).click();
  await poll('the revoked key refused', async () => (await probe()).status === 401);
  await poll('the key shown revoked', async () =>
    (await keyRow.getByRole('button', { name: 'Revoke', exact: true }).count()) === 0);
});

test('9c. admin: the usage page has its chart and the GC activity', async () => {
  // One garbage-collection cycle first, so that the GC table has a row (GET /v1/admin/gc).
  const gc = await api(CASTOR_URL, KEY_ADMIN, '/v1/admin/gc', { method: 'POST' });
  assert.equal(gc.status, 200, gc.text);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Usage', exact: true }).click();
  await page.locator('[data-testid="usage-chart"]').waitFor({ timeout: 15000 });
  assert.equal(await page.getByTestId('usage-chart').evaluate((el) => el.tagName.toLowerCase()), 'svg');
  assert.match(await page.getByRole('main').textContent(), /uploads/, 'the namespaces are in the figures');
  // [data-testid="gc-table"] is the console's own name for the contract's "GC activity table".
  await poll('a GC cycle in the table', async () =>
    (await page.getByTestId('gc-table').locator('tbody tr').count()) >= 1);
  await shot('10-usage');
});

test('9d. phone width (375 px) and dark mode', async () => {
  await page.setViewportSize({ width: 375, height: 812 });
  await go(`#/t/t1/ns/${UPLOAD_NS}`);
  await row('pixel.png').waitFor({ timeout: 15000 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 1, `no horizontal scrolling at 375 px (${overflow} px too wide)`);
  await shot('12-phone');
  await page.setViewportSize({ width: 1280, height: 800 });
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await background();
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = await poll('a dark background', async () => {
    const b = await background();
    return b !== light && b;
  });
  await shot('13-dark');
  assert.notEqual(dark, light);
  await page.emulateMedia({ colorScheme: 'light' });
});

test('9e. admin: the home page lists the tenants', async () => {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Browse', exact: true }).click();
  const link = page.getByRole('main').getByRole('link', { name: 't1', exact: true });
  await link.waitFor({ timeout: 15000 });
  await link.click();
  await page.getByRole('main').getByRole('link', { name: 'bulk', exact: true }).waitFor({ timeout: 15000 });
});
