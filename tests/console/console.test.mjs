// The web console in a real browser (issue 14; the names and test ids are contract.md section 3).
// Run by run.sh, which starts castor, makes the keys and seeds "bulk" and "xss"; the steps run in
// order in one browser tab and build on each other (the files uploaded in step 2 are opened,
// downloaded and deleted later).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import {
  api, env, launchChromium, makePng, poll, pseudoRandomBytes, sha256File, sha256Hex, waitInPage,
} from './lib.mjs';

const CASTOR_URL = env('CASTOR_URL');
const CONSOLE_URL = env('CONSOLE_URL');
const KEY_RW = env('KEY_RW');
const KEY_RO = env('KEY_RO');
const KEY_ADMIN = env('KEY_ADMIN');
const OUT = env('CASTOR_TEST_OUTPUT_DIR');
const ROOT = env('CASTOR_SOURCE_ROOT');
const BULK_OBJECTS = Number(process.env.BULK_OBJECTS ?? 20000);
const CONSOLE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
    "media-src 'self' blob:; frame-src 'self' blob:; connect-src 'self'; font-src 'self'; " +
    "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const XSS_KEY = '<img src=x onerror=alert(1)>';
const XSS_NOTE = '<img src=x onerror=alert(2)>';

const BIG = { name: 'big.bin', size: 60 * 1024 * 1024, seed: 0x5eed14 };
BIG.sha256 = sha256Hex(pseudoRandomBytes(BIG.size, BIG.seed));
const PNG = makePng(64, 48);
const TEXT = 'castor console test\n<b>not bold</b> & <script>not run</script>\nünïcödé ✓ 🙂\n';
const JSON_DOC = '{"name":"castor","issue":14,"tags":["console","browser"]}';
const CSV = 'key,size\nbig.bin,62914560\npixel.png,123\n';
const SMALL = [
  { name: 'pixel.png', mimeType: 'image/png', buffer: PNG },
  { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(TEXT) },
  { name: 'data.json', mimeType: 'application/json', buffer: Buffer.from(JSON_DOC) },
  { name: 'table.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) },
];
const UPLOAD_NS = 'uploads';

let browser;
let page;
const problems = [];  // CSP violations and uncaught errors, checked after every step
const dialogs = [];   // window.alert/confirm/prompt that opened: none may
const ids = {};       // object ids by key, read from the object pages' routes

async function shot(name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: false });
}

/** Navigates inside the app (hash routing; no reload, the session stays). */
async function go(hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

function hashOf() {
  return page.evaluate(() => location.hash);
}

/**
 * Signs in through the form and waits for the page the app lands on (`landing`: a RegExp over
 * location.hash; a tenant-bound credential is sent on to its namespaces), so that a navigation
 * that follows does not race the app's own.
 */
async function signIn(credential, landing) {
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

async function signOut() {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('form', { name: 'Sign in' }).waitFor({ timeout: 15000 });
}

/** The data-key of every rendered row of the object list. */
function rowKeys(testid = 'object-row') {
  return page.evaluate((t) => Array.from(document.querySelectorAll(`[data-testid="${t}"]`),
      (r) => r.getAttribute('data-key')), testid);
}

function row(key) {
  return page.locator(`[data-testid="object-row"][data-key="${key.replaceAll('"', '\\"')}"]`);
}

/** Opens the object page of `key` from the current listing; records its id. */
async function openObject(key) {
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

function breadcrumb(name) {
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

test('1. sign in with the read-write key; the credential is in sessionStorage only', async () => {
  await page.goto(`${CONSOLE_URL}/console/`);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.waitFor({ timeout: 15000 });
  await form.getByLabel('API key or JWT', { exact: true }).fill('cst_0000000000000_not-a-key');
  await form.getByRole('button', { name: 'Sign in', exact: true }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor({ timeout: 15000 });
  assert.ok((await alert.textContent()).trim().length > 0, 'the alert says why');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('castor.credential')), null);
  await shot('01-sign-in');

  await signIn(KEY_RW, /^#\/t\/t1\/?$/);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('castor.credential')), KEY_RW);
  assert.equal(await page.evaluate(() => localStorage.length), 0, 'localStorage stays empty');
  const banner = page.getByRole('banner');
  assert.match(await banner.textContent(), /t1/, 'the banner names the tenant');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Browse', 'Bundles', 'Usage']) {
    await nav.getByRole('link', { name, exact: true }).waitFor({ timeout: 5000 });
  }
  assert.equal(await nav.getByRole('link', { name: 'API keys', exact: true }).count(), 0,
      'no "API keys" without keys:manage or admin');

  // A tenant-bound credential goes straight to its namespaces.
  await poll('the namespaces of t1', async () => (await hashOf()).startsWith('#/t/t1'));
  for (const ns of ['bulk', 'xss']) {
    await page.getByRole('main').getByRole('link', { name: ns, exact: true }).waitFor({ timeout: 15000 });
  }
  await shot('02-namespaces');
});

test('2. upload 60 MiB by drag-and-drop and four small files by the picker', { timeout: 240000 }, async () => {
  await page.getByLabel('New namespace', { exact: true }).fill(UPLOAD_NS);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await poll(`the route of namespace ${UPLOAD_NS}`,
      async () => /^#\/t\/t1\/ns\/uploads\/?$/.test(await hashOf()));
  const zone = page.getByTestId('drop-zone');
  await zone.waitFor({ timeout: 15000 });

  // Every (state, value) an upload item goes through, recorded as the DOM changes.
  await page.evaluate(() => {
    const log = {};
    window.__uploadLog = log;
    const value = (bar) => {
      if (!bar) return null;
      const v = bar.getAttribute('aria-valuenow');
      if (v !== null) return Number(v);
      return bar.tagName === 'PROGRESS' && bar.max ? (100 * bar.value) / bar.max : null;
    };
    const snapshot = () => {
      for (const item of document.querySelectorAll('[data-testid="upload-item"]')) {
        const name = item.getAttribute('data-name');
        const entry = { state: item.getAttribute('data-state'),
          v: value(item.querySelector('[role="progressbar"], progress')) };
        const list = (log[name] ??= []);
        const last = list[list.length - 1];
        if (!last || last.state !== entry.state || last.v !== entry.v) list.push(entry);
      }
    };
    new MutationObserver(snapshot).observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true,
    });
  });

  // The big file: made in the page from the same seed as BIG.sha256, dropped as a DataTransfer.
  await page.evaluate(`window.__pseudoRandomBytes = ${pseudoRandomBytes.toString()}`);
  const dataTransfer = await page.evaluateHandle(({ name, size, seed }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([window.__pseudoRandomBytes(size, seed)], name,
        { type: 'application/octet-stream' }));
    return dt;
  }, BIG);
  await zone.dispatchEvent('dragenter', { dataTransfer });
  await zone.dispatchEvent('dragover', { dataTransfer });
  await zone.dispatchEvent('drop', { dataTransfer });

  // The small ones through "Choose files".
  const picker = page.getByLabel('Choose files', { exact: true });
  assert.equal(await picker.getAttribute('type'), 'file');
  assert.notEqual(await picker.getAttribute('multiple'), null, 'the picker takes several files');
  await picker.setInputFiles(SMALL);

  const uploads = page.getByRole('region', { name: 'Uploads' });
  await uploads.waitFor({ timeout: 15000 });
  const item = (name) => uploads.locator(`[data-testid="upload-item"][data-name="${name}"]`);
  await item(BIG.name).waitFor({ timeout: 15000 });
  // A screenshot while the big one is on its way (hashing or uploading).
  await waitInPage(page, 'big.bin part-way through uploading (or done)', (n) => {
    const el = document.querySelector(`[data-testid="upload-item"][data-name="${n}"]`);
    const v = Number(el?.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow'));
    const state = el?.getAttribute('data-state');
    return (state === 'uploading' && v > 0 && v < 100) || state === 'done';
  }, BIG.name, 120000);
  await shot('03-upload-in-progress');

  for (const name of [BIG.name, ...SMALL.map((f) => f.name)]) {
    await waitInPage(page, `${name} done`, (n) => {
      const el = document.querySelector(`[data-testid="upload-item"][data-name="${n}"]`);
      const state = el?.getAttribute('data-state');
      if (state === 'error' || state === 'cancelled') throw new Error(`${n}: ${state}: ${el.textContent}`);
      return state === 'done';
    }, name, 180000);
    const bar = item(name).getByRole('progressbar', { name: `Upload ${name}`, exact: true });
    assert.equal(await bar.getAttribute('aria-valuenow'), '100', `${name} at 100 %`);
  }
  const all = page.getByRole('progressbar', { name: 'All uploads', exact: true });
  assert.equal(await all.getAttribute('aria-valuenow'), '100', 'all uploads at 100 %');
  await shot('04-upload-done');

  const log = await page.evaluate(() => window.__uploadLog);
  const big = log[BIG.name] ?? [];
  assert.ok(big.some((e) => e.v > 0 && e.v < 100),
      `an intermediate progress value for ${BIG.name}: ${JSON.stringify(big)}`);
  assert.ok(big.some((e) => e.state === 'uploading'), `${BIG.name} went through "uploading"`);
  for (const entries of Object.values(log)) {
    const values = entries.map((e) => e.v).filter((v) => v !== null);
    for (const v of values) assert.ok(v >= 0 && v <= 100, `progress in 0..100: ${v}`);
  }

  // What the server holds: the exact bytes' hashes (a 60 MiB file uploaded in parts).
  const listed = await api(CASTOR_URL, KEY_RW, `/v1/objects?namespace=${UPLOAD_NS}&limit=100`);
  assert.equal(listed.status, 200, listed.text);
  const byKey = Object.fromEntries(JSON.parse(listed.text).objects.map((o) => [o.key, o]));
  assert.equal(byKey[BIG.name]?.size_bytes, BIG.size, `${BIG.name} size: ${listed.text}`);
  assert.match(JSON.stringify(byKey[BIG.name]), new RegExp(BIG.sha256));
  for (const f of SMALL) assert.match(JSON.stringify(byKey[f.name]), new RegExp(sha256Hex(f.buffer)));
});

test('3. the objects are listed; the PNG and the text file preview', async () => {
  await poll('the uploaded objects in the list', async () => {
    const keys = await rowKeys();
    return [BIG.name, ...SMALL.map((f) => f.name)].every((k) => keys.includes(k)) || keys;
  });
  await openObject('pixel.png');
  await waitInPage(page, 'the PNG preview decoded', () => {
    const img = document.querySelector('[data-testid="preview"] img');
    return img && img.complete && img.naturalWidth > 0;
  });
  assert.deepEqual(await page.evaluate(() => {
    const img = document.querySelector('[data-testid="preview"] img');
    return [img.naturalWidth, img.naturalHeight];
  }), [64, 48]);
  const details = page.getByTestId('object-details');
  assert.equal(await details.evaluate((el) => el.tagName), 'DL');
  assert.match(await details.textContent(), new RegExp(sha256Hex(PNG)), 'the details show the sha256');
  await shot('05-object-image');

  await breadcrumb(UPLOAD_NS).click();
  await openObject('notes.txt');
  const pre = page.getByTestId('preview').locator('pre');
  await poll('the text preview', async () => (await pre.count()) === 1 && (await pre.textContent()) === TEXT);
  assert.equal(await page.locator('[data-testid="preview"] b, [data-testid="preview"] script').count(), 0,
      'text is never parsed as HTML');
  await shot('06-object-text');

  await breadcrumb(UPLOAD_NS).click();
  await openObject('data.json');
  await poll('the JSON preview', async () => {
    const text = await page.getByTestId('preview').locator('pre').textContent();
    return JSON.stringify(JSON.parse(text)) === JSON_DOC;
  });
});

test('4. download the 60 MiB file through its presigned link; same SHA-256', { timeout: 120000 }, async () => {
  await breadcrumb(UPLOAD_NS).click();
  await openObject(BIG.name);
  const link = page.getByRole('link', { name: 'Download', exact: true });
  await link.waitFor({ timeout: 15000 });
  const href = await link.getAttribute('href');
  const secret = KEY_RW.split('_').slice(2).join('_');
  assert.ok(!href.includes(KEY_RW) && !href.includes(secret), `no credential in the link: ${href}`);
  assert.notEqual(await link.getAttribute('download'), null, 'an <a download>');
  // The curl and castorctl commands are shown as text.
  for (const name of ['Copy curl command', 'Copy castorctl command']) {
    await page.getByRole('button', { name, exact: true }).waitFor({ timeout: 5000 });
  }
  const codes = await page.locator('code').allTextContents();
  assert.ok(codes.some((c) => c.includes('curl')), `a curl command in <code>: ${codes}`);
  assert.ok(codes.some((c) => c.includes('castorctl')), `a castorctl command in <code>: ${codes}`);
  assert.ok(codes.every((c) => !c.includes(secret)), 'the commands do not show the secret');

  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), link.click()]);
  const saved = join(OUT, 'downloaded-big.bin');
  await download.saveAs(saved);
  assert.equal(statSync(saved).size, BIG.size);
  assert.equal(await sha256File(saved), BIG.sha256, 'the download has the original bytes');
  rmSync(saved);
  // Checked last, so that an older server (no presign: the console falls back to a blob: URL)
  // still has its download compared above.
  assert.match(href, /X-Castor-Signature=[0-9a-f]+/, `a presigned URL: ${href}`);
  assert.ok(href.startsWith('/v1/'), `a relative presigned URL on the API: ${href}`);
});

test('5. delete an object through the dialog; 404 over the API', async () => {
  await breadcrumb(UPLOAD_NS).click();
  const id = await openObject('table.csv');
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor({ timeout: 5000 });
  assert.match(await dialog.textContent(), /table\.csv/, 'the dialog names the object');
  await dialog.getByRole('button', { name: 'Cancel', exact: true }).waitFor({ timeout: 5000 });
  await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await poll('back to the folder listing', async () => /^#\/t\/t1\/ns\/uploads\/?$/.test(await hashOf()));
  await poll('table.csv gone from the list', async () => {
    const keys = await rowKeys();
    return keys.includes('pixel.png') && !keys.includes('table.csv');
  });
  const res = await api(CASTOR_URL, KEY_RW, `/v1/objects/${id}?tenant_id=t1`);
  assert.equal(res.status, 404, res.text);
});

test('6. 20,000 objects scroll to the end with < 200 rows in the DOM', { timeout: 180000 }, async () => {
  const listRequests = [];
  const onRequest = (req) => {
    const url = new URL(req.url());
    if (url.pathname.startsWith('/v1/objects') && url.searchParams.get('namespace') === 'bulk') {
      listRequests.push(url.searchParams.get('limit'));
    }
  };
  page.on('request', onRequest);
  try {
    // Step 1 clicked through the namespace links: here the route, so that this step stands alone.
    await go('#/t/t1/ns/bulk');
    const list = page.getByTestId('object-list');
    await list.waitFor({ timeout: 15000 });
    assert.ok(['grid', 'list'].includes(await list.getAttribute('role')), 'role grid or list');
    assert.equal(await list.getAttribute('aria-label') ?? await list.evaluate((el) =>
        document.getElementById(el.getAttribute('aria-labelledby'))?.textContent), 'Objects');
    await row('obj-00000').waitFor({ timeout: 15000 });
    const sort = page.getByLabel('Sort by', { exact: true });
    assert.deepEqual(await sort.locator('option').allTextContents(), ['Name', 'Natural', 'Size', 'Date']);
    assert.equal(await page.getByRole('searchbox', { name: 'Search', exact: true }).count(), 1);
    await shot('07-object-list');
    assert.ok(listRequests.length <= 2, `at most two pages before any scrolling: ${listRequests}`);

    // The most rows ever in the DOM at once, seen by an observer as the list changes.
    await list.evaluate((el) => {
      window.__maxRows = 0;
      const count = () => {
        window.__maxRows = Math.max(window.__maxRows,
            document.querySelectorAll('[data-testid="object-row"]').length);
      };
      count();
      new MutationObserver(count).observe(el, { subtree: true, childList: true });
    });
    const state = () => page.evaluate(() => {
      const keys = Array.from(document.querySelectorAll('[data-testid="object-row"]'),
          (r) => r.getAttribute('data-key')).sort();
      return { rows: keys.length, max: keys[keys.length - 1] ?? '',
        end: !!document.querySelector('[data-testid="list-end"]') };
    });
    let steps = 0;
    for (let s = await state(); ; s = await state()) {
      assert.ok(s.rows < 200, `${s.rows} rows in the DOM at step ${steps}`);
      if (s.end && s.max === `obj-${String(BULK_OBJECTS - 1).padStart(5, '0')}`) break;
      assert.ok(++steps < 400, `the end of the list after ${steps} scrolls`);
      await list.evaluate((el) => { el.scrollTop = el.scrollHeight; });
      await waitInPage(page, `rows past ${s.max}`, (prev) => {
        const keys = Array.from(document.querySelectorAll('[data-testid="object-row"]'),
            (r) => r.getAttribute('data-key'));
        return keys.some((k) => k > prev) || !!document.querySelector('[data-testid="list-end"]');
      }, s.max, 20000);
    }
    const lastKey = `obj-${String(BULK_OBJECTS - 1).padStart(5, '0')}`;
    const maxRows = await page.evaluate(() => window.__maxRows);
    assert.ok(maxRows < 200, `at most ${maxRows} rows in the DOM at any time`);
    const end = page.getByTestId('list-end');
    assert.equal((await end.textContent()).trim(), 'End of list');
    // Inside the list's scrolled view; then, with the page scrolled to show the list's bottom (as
    // a person would), its link is what the browser hits at its centre (nothing covers it).
    await poll(`${lastKey} visible in the list`, () => list.evaluate((el, key) => {
      const r = el.querySelector(`[data-testid="object-row"][data-key="${key}"]`);
      if (!r) return false;
      const a = r.getBoundingClientRect();
      const b = el.getBoundingClientRect();
      return a.height > 0 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
    }, lastKey));
    await list.evaluate((el) => el.scrollIntoView({ block: 'end' }));
    await poll(`${lastKey} not covered`, () => list.evaluate((el, key) => {
      const link = el.querySelector(`[data-testid="object-row"][data-key="${key}"] a`);
      const a = link?.getBoundingClientRect();
      return a && link.contains(document.elementFromPoint(a.left + a.width / 2, a.top + a.height / 2));
    }, lastKey));
    assert.ok(listRequests.every((l) => Number(l) >= 1 && Number(l) <= 1000), `limits: ${listRequests}`);
    assert.ok(listRequests.length >= Math.ceil(BULK_OBJECTS / 1000) &&
        listRequests.length <= Math.ceil(BULK_OBJECTS / 100) + 2,
        `paged on demand: ${listRequests.length} list requests`);
    console.log(`# ${steps} scroll steps, ${listRequests.length} list requests, at most ${maxRows} rows`);
    await shot('07b-object-list-end');
  } finally {
    page.off('request', onRequest);
  }
});

test('7. a hostile key and metadata render as text; no dialog opens', async () => {
  await go('#/t/t1/ns/xss');
  const r = row(XSS_KEY);
  await r.waitFor({ timeout: 15000 });
  assert.equal((await r.getByRole('link').first().textContent()).trim(), XSS_KEY);
  await openObject(XSS_KEY);
  assert.match(await page.getByTestId('object-details').textContent(), new RegExp(
      XSS_NOTE.replace(/[()]/g, '\\$&')), 'the metadata value shows as text');
  await shot('08-xss-as-text');
  assert.deepEqual(dialogs, [], 'no dialog opened');
  assert.equal(await page.locator('img[src="x"], [onerror]').count(), 0, 'no element made from the key');
});

test('8. a read-only key: no upload or delete control; a forged delete gets 403', async () => {
  await signOut();
  await signIn(KEY_RO, /^#\/t\/t1\/?$/);
  await go(`#/t/t1/ns/${UPLOAD_NS}`);
  await row('pixel.png').waitFor({ timeout: 15000 });
  assert.equal(await page.getByLabel('Choose files', { exact: true }).count(), 0);
  assert.equal(await page.getByTestId('drop-zone').count(), 0);
  await shot('09-read-only');
  await openObject('pixel.png');
  await page.getByRole('link', { name: 'Download', exact: true }).waitFor({ timeout: 15000 });
  assert.equal(await page.getByRole('button', { name: 'Delete', exact: true }).count(), 0);
  const status = await page.evaluate(async (id) => {
    const res = await fetch(`/v1/objects/${id}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${sessionStorage.getItem('castor.credential')}` },
    });
    return res.status;
  }, ids['pixel.png']);
  assert.equal(status, 403);
  assert.equal((await api(CASTOR_URL, KEY_RW, `/v1/objects/${ids['pixel.png']}?tenant_id=t1`)).status, 200);
});

test('9. sign-out clears sessionStorage and shows the sign-in form', async () => {
  await signOut();
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.equal(await page.evaluate(() => localStorage.length), 0);
  await page.getByLabel('API key or JWT', { exact: true }).waitFor({ timeout: 5000 });
});

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

test('10. security headers of /console/ and its assets', async () => {
  const common = (res, what) => {
    assert.equal(res.headers.get('content-security-policy'), CONSOLE_CSP, `${what}: CSP`);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: nosniff`);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', `${what}: Referrer-Policy`);
    assert.equal(res.headers.get('x-frame-options'), 'DENY', `${what}: X-Frame-Options`);
  };
  const redirect = await fetch(`${CONSOLE_URL}/console`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.equal(new URL(redirect.headers.get('location'), CONSOLE_URL).pathname, '/console/');

  const index = await fetch(`${CONSOLE_URL}/console/`);
  assert.equal(index.status, 200);
  common(index, 'index.html');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline <script>');
  assert.doesNotMatch(html, /<style\b|\sstyle=/i, 'no <style> or style= in index.html');
  const assets = [...html.matchAll(/(?:src|href)="(assets\/[^"]+)"/g)].map((m) => m[1]);
  assert.ok(assets.some((a) => a.endsWith('.js')), `index.html loads a script asset: ${assets}`);
  for (const asset of assets) {
    assert.match(asset, /^assets\/[\w.-]+-[\w]{6,}\.\w+$/, `a content hash in ${asset}`);
    const res = await fetch(`${CONSOLE_URL}/console/${asset}`);
    assert.equal(res.status, 200, asset);
    common(res, asset);
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', asset);
    assert.ok(res.headers.get('etag'), `${asset}: ETag`);
    await res.arrayBuffer();
  }
  const deep = await fetch(`${CONSOLE_URL}/console/t/t1/anything`);
  assert.equal(deep.status, 200);
  assert.equal(await deep.text(), html, 'other paths under /console/ are index.html');
});

test('10b. no HTML sinks in console/src', () => {
  const sinks = /\b(innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML)\b|document\.write\s*\(|\beval\s*\(|\bnew\s+Function\s*\(/;
  const found = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(m?js|jsx|ts|tsx|html)$/.test(name)) {
        readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
          if (sinks.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  walk(join(ROOT, 'console', 'src'));
  assert.deepEqual(found, [], 'HTML sinks in console/src');
});

test('10c. native content responses carry Content-Security-Policy: sandbox (not PDFs)', async () => {
  // An HTML or SVG object opened from a link can never script the console's origin.
  const content = await api(CASTOR_URL, KEY_RW, `/v1/objects/${ids['notes.txt']}?tenant_id=t1`);
  assert.equal(content.status, 200, content.text);
  assert.equal(content.headers.get('content-security-policy'), 'sandbox');

  // A PDF is the exception (Chromium shows no PDF in a sandbox). The console shows it in an
  // <iframe> WITHOUT a sandbox attribute: Debian's chromium blocks its PDF viewer in any sandboxed
  // frame (/work/briefs14/MISMATCHES, agreed); the frame loads a presigned URL of this
  // application/pdf object (served as that type with nosniff), never the credential.
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' +
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  const created = await api(CASTOR_URL, KEY_RW, `/v1/objects?namespace=${UPLOAD_NS}&key=doc.pdf`, {
    method: 'POST', body: pdf,
    headers: { 'content-type': 'application/pdf', 'x-content-sha256': sha256Hex(pdf) },
  });
  assert.equal(created.status, 201, created.text);
  const id = JSON.parse(created.text).id;
  const got = await api(CASTOR_URL, KEY_RW, `/v1/objects/${id}?tenant_id=t1`);
  assert.equal(got.status, 200);
  assert.notEqual(got.headers.get('content-security-policy'), 'sandbox');
  await signOut();
  await signIn(KEY_RW, /^#\/t\/t1\/?$/);
  await go(`#/t/t1/ns/${UPLOAD_NS}`);
  await openObject('doc.pdf');
  const frame = page.locator('[data-testid="preview"] iframe');
  await frame.waitFor({ timeout: 15000 });
  const src = await frame.getAttribute('src');
  assert.match(src, /^\/v1\/objects\/.*X-Castor-Signature=[0-9a-f]+/, `a presigned URL in the frame: ${src}`);
  assert.ok(!src.includes(KEY_RW.split('_').slice(2).join('_')), 'no credential in the frame URL');
});
