// The shared state and helpers of the browser tests (console.test.mjs imports the steps in order):
// what run.sh exported, the test files, the one browser tab, and the UI moves the steps share
// (contract.md section 3 names every role, label and test id used here).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import { env, launchChromium, makePng, poll, pseudoRandomBytes, sha256Hex } from './lib.mjs';

export const CASTOR_URL = env('CASTOR_URL');
export const CONSOLE_URL = env('CONSOLE_URL');
export const KEY_RW = env('KEY_RW');
export const KEY_RO = env('KEY_RO');
export const KEY_ADMIN = env('KEY_ADMIN');
export const OUT = env('CASTOR_TEST_OUTPUT_DIR');
export const ROOT = env('CASTOR_SOURCE_ROOT');
export const BULK_OBJECTS = Number(process.env.BULK_OBJECTS ?? 20000);
export const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
    "media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; font-src 'self'; " +
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
    "require-trusted-types-for 'script'; trusted-types 'none'";
export const XSS_KEY = '<img src=x onerror=alert(1)>';
export const XSS_NOTE = '<img src=x onerror=alert(2)>';

export const BIG = { name: 'big.bin', size: 60 * 1024 * 1024, seed: 0x5eed14 };
BIG.sha256 = sha256Hex(pseudoRandomBytes(BIG.size, BIG.seed));
export const PNG = makePng(64, 48);
export const TEXT = 'castor console test\n<b>not bold</b> & <script>not run</script>\nünïcödé ✓ 🙂\n';
export const JSON_DOC = '{"name":"castor","issue":14,"tags":["console","browser"]}';
export const CSV = 'key,size\nbig.bin,62914560\npixel.png,123\n';
export const SMALL = [
  { name: 'pixel.png', mimeType: 'image/png', buffer: PNG },
  { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(TEXT) },
  { name: 'data.json', mimeType: 'application/json', buffer: Buffer.from(JSON_DOC) },
  { name: 'table.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) },
];
export const UPLOAD_NS = 'uploads';

/** The browser tab every step drives (set by the before hook). */
export let page;
let browser;
export const problems = [];  // CSP violations and uncaught errors, checked after every step
export const dialogs = [];   // window.alert/confirm/prompt that opened: none may
export const ids = {};       // object ids by key, read from the object pages' routes

export async function shot(name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
}

/** Navigates inside the app (hash routing; no reload, the session stays). */
export async function go(hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

export function hashOf() {
  return page.evaluate(() => location.hash);
}

/**
 * Signs in through the form and waits for the page the app lands on (`landing`: a RegExp over
 * location.hash; a tenant-bound credential is sent on to its namespaces), so that a navigation
 * that follows does not race the app's own.
 */
export async function signIn(credential, landing) {
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.waitFor({ timeout: 15000 });
  const input = form.getByLabel('API key or JWT', { exact: true });
  assert.equal(await input.getAttribute('type'), 'password');
  await input.fill(credential);
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out', exact: true })
      .waitFor({ timeout: 15000 });
  await poll(`the landing page ${landing}`, async () => landing.test(await hashOf()));
}

export async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 15000 });
}

/** The data-key of every rendered row of the object list. */
export function rowKeys(testid = 'object-row') {
  return page.evaluate((t) => Array.from(document.querySelectorAll(`[data-testid="${t}"]`),
      (r) => r.getAttribute('data-key')), testid);
}

export function row(key) {
  return page.locator(`[data-testid="object-row"][data-key="${key.replaceAll('"', '\\"')}"]`);
}

/** Opens the object page of `key` from the current listing; records its id. */
export async function openObject(key) {
  const r = row(key);
  await r.waitFor({ timeout: 15000 });
  const name = key.split('/').pop();
  await r.getByRole('link', { name, exact: true }).click();
  const h1 = page.getByRole('heading', { level: 1 });
  await poll(`the object page of ${key}`, async () => (await h1.textContent()) === key);
  const hash = await poll('an object route', async () => {
    const h = await hashOf();
    return /\/o\/[^/]+$/.test(h) && h;
  });
  ids[key] = decodeURIComponent(hash.split('/o/')[1]);
  return ids[key];
}

export function breadcrumb(name) {
  return page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name, exact: true });
}

before(async () => {
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`);
    });
  });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|CSP violation|Refused to/i.test(msg.text())) {
      problems.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => problems.push(`uncaught: ${err.message}`));
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss();
  });
});

after(async () => {
  await browser?.close();
});

afterEach(() => {
  const found = problems.splice(0);
  assert.deepEqual(found, [], 'CSP violations or uncaught errors in the page');
});

