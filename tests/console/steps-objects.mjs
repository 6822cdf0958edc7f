// Steps 1-5: sign in, upload (drop and picker), preview, download, delete.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { rmSync, statSync } from 'node:fs';
import {
  CASTOR_URL, CONSOLE_URL, KEY_RW, OUT, BIG, PNG, TEXT, JSON_DOC, SMALL, UPLOAD_NS, page, shot,
  hashOf, signIn, rowKeys, openObject, breadcrumb,
} from './harness.mjs';
import { poll, waitInPage, pseudoRandomBytes, sha256Hex, sha256File, api } from './lib.mjs';

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
  }
  // Everything finished: the file list folds away (the panel stops covering the page); it opens
  // again on request, every bar at 100 %.
  const toggle = uploads.getByRole('button', { name: 'Show files', exact: true });
  await toggle.waitFor({ timeout: 15000 });
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  for (const name of [BIG.name, ...SMALL.map((f) => f.name)]) {
    const bar = item(name).getByRole('progressbar', { name: `Upload ${name}`, exact: true });
    assert.equal(await bar.getAttribute('aria-valuenow'), '100', `${name} at 100 %`);
  }
  const all = page.getByRole('progressbar', { name: 'All uploads', exact: true });
  assert.equal(await all.getAttribute('aria-valuenow'), '100', 'all uploads at 100 %');
  await shot('04-upload-done');
  await uploads.getByRole('button', { name: 'Hide files', exact: true }).click();

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
