// The web console's main flows in Firefox, by hand (not in CI: Playwright drives only its own
// patched Firefox, so the CI suite uses Chromium). puppeteer-core drives Debian's firefox-esr
// through WebDriver BiDi against any running castor:
//
//   CASTOR_URL=http://localhost:8080 CASTOR_API_KEY=$(cat var/admin-key) node tests/console/firefox/smoke.mjs
//
// With the admin key it makes a key for a fresh tenant, then: sign in with it, see the namespace,
// upload a file through "Choose files" and see it reach 100 %, open it, read its text preview,
// fetch its presigned Download link (no credential in it) and compare the bytes, delete it
// through the dialog (then 404 over the API), sign out (sessionStorage empty). Revokes the key.
// Exit status 0 when every check held; each check prints one line.
import puppeteer from 'puppeteer-core';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const base = (process.env.CASTOR_URL || 'http://localhost:8080').replace(/\/$/, '');
const admin = process.env.CASTOR_API_KEY;
if (!admin) throw new Error('CASTOR_API_KEY must be an admin API key');
const tenant = `firefox-smoke-${Date.now()}`;
const text = `hello from firefox ${tenant}\n`;

async function call(path, { method = 'GET', key = admin, body, headers = {} } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...headers },
    body: typeof body === 'object' && !(body instanceof Uint8Array) ? JSON.stringify(body) : body,
  });
  return { status: res.status, body: res.status === 204 ? null : await res.text() };
}
const check = (what, ok, detail = '') => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  assert.ok(ok, what);
};

const created = await call('/v1/admin/api-keys', {
  method: 'POST',
  body: { tenant, scopes: 'objects:read objects:write objects:delete', name: 'firefox smoke' },
  headers: { 'Content-Type': 'application/json' },
});
check('a key for a fresh tenant', created.status === 201, String(created.status));
const made = JSON.parse(created.body);
const key = made.key;
// A namespace to see on the first screen.
const seeded = await call('/v1/objects', {
  method: 'POST', key, body: 'seed\n',
  headers: { 'X-Namespace': 'docs', 'X-Key': 'seed.txt', 'Content-Type': 'text/plain' },
});
check('a first object through the API', seeded.status === 201);

const dir = mkdtempSync(join(tmpdir(), 'castor-ff-'));
const file = join(dir, 'hello.txt');
writeFileSync(file, text);
const browser = await puppeteer.launch({
  browser: 'firefox', executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr', headless: true,
});
const errors = [];
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${base}/console/`);
  await page.waitForSelector('#credential');
  await page.type('#credential', key);
  await page.click('form[aria-label="Sign in"] button[type=submit]');
  await page.waitForFunction((n) => [...document.querySelectorAll('a')].some((a) => a.textContent.trim() === n), { timeout: 15000 }, 'docs');
  check('signed in; the namespace is listed', true, await page.evaluate(() => location.hash));
  check('the credential is in sessionStorage only',
    await page.evaluate(() => sessionStorage.getItem('castor.credential') !== null && localStorage.getItem('castor.credential') === null));

  await page.goto(`${base}/console/#/t/${encodeURIComponent(tenant)}/ns/docs`);
  const input = await page.waitForSelector('input[type=file]', { timeout: 15000 });
  await input.uploadFile(file);
  await page.waitForFunction(() => document.querySelector('[data-testid="upload-item"][data-name="hello.txt"]')?.getAttribute('data-state') === 'done', { timeout: 30000 });
  check('uploaded through "Choose files"', true);
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="object-row"]')].some((r) => r.dataset.key === 'hello.txt'), { timeout: 15000 });
  await page.evaluate(() => [...document.querySelectorAll('[data-testid="object-row"]')].find((r) => r.dataset.key === 'hello.txt').querySelector('a').click());
  await page.waitForSelector('[data-testid="preview"] pre', { timeout: 15000 });
  const shown = await page.$eval('[data-testid="preview"] pre', (e) => e.textContent);
  check('the text preview shows the file', shown === text, JSON.stringify(shown));
  const handle = await page.waitForFunction(() => [...document.querySelectorAll('a')].find((a) => a.textContent.trim() === 'Download')?.getAttribute('href'), { timeout: 15000 });
  const url = await handle.jsonValue();
  check('the Download link is presigned and carries no secret',
    url.includes('X-Castor-Signature=') && !url.includes(key.split('_').pop()));
  const fetched = await page.evaluate(async (u) => (await fetch(u, { credentials: 'omit' })).text(), url);
  check('the presigned link downloads the same bytes', fetched === text);
  const id = url.split('?')[0].split('/').pop();

  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Delete').click());
  await page.waitForSelector('dialog[open]', { timeout: 15000 });
  await page.evaluate(() => [...document.querySelectorAll('dialog[open] button')].find((b) => b.textContent.trim() === 'Delete').click());
  await page.waitForFunction(() => !/\/o\//.test(location.hash), { timeout: 15000 });
  const gone = await call(`/v1/objects/${id}?tenant_id=${encodeURIComponent(tenant)}`, { key });
  check('deleted through the dialog: 404 over the API', gone.status === 404, String(gone.status));

  await page.evaluate(() => [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Sign out').click());
  await page.waitForSelector('#credential', { timeout: 15000 });
  check('signed out: sessionStorage is empty', await page.evaluate(() => sessionStorage.length === 0));
  check('no console error, no dialog', errors.length === 0, JSON.stringify(errors));
} finally {
  await browser.close();
  await call(`/v1/admin/api-keys/${made.id}`, { method: 'DELETE' });
}
