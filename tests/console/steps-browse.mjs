// Steps 6-9: 20,000 objects scrolled, hostile names as text, a read-only key, sign-out.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CASTOR_URL, KEY_RW, KEY_RO, BULK_OBJECTS, XSS_KEY, XSS_NOTE, UPLOAD_NS, page, dialogs, ids,
  shot, go, signIn, signOut, row, openObject,
} from './harness.mjs';
import { poll, waitInPage, api } from './lib.mjs';

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
