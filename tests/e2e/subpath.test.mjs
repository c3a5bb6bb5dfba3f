// End-to-end tests of the app under a sub-path, as GitHub Pages serves a project site
// (`/<repo>/`): the build of `make dist-subpath` (--public-url /gallery/) served from the
// folder holding `gallery/` (SUBPATH_URL, started by run.mjs when the build exists). The
// worker, the demo and every asset load from under /gallery/, links keep the sub-path, and
// the Pages 404 fallback sends any other address of the site to the app, query kept.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';

import {
  closeBrowser,
  demoManifest,
  e2eTest,
  fetchRequests,
  clearRequests,
  query,
  readCards,
  scrollUntilStable,
  totalRows,
  waitForFirstCardLoaded,
  waitInPage,
} from './lib.mjs';

after(closeBrowser);

const ORIGIN = process.env.SUBPATH_URL?.replace(/\/+$/, '');

if (!ORIGIN) {
  test('the app under a sub-path (build it with make dist-subpath)', { skip: 'no sub-path build: run make dist-subpath' }, () => {});
} else {
  e2eTest('under /gallery/ the app, its worker and the demo load from the sub-path, and links keep it', async ({ page, newContext }) => {
    await clearRequests(ORIGIN);
    await page.goto(`${ORIGIN}/gallery/`);
    await waitForFirstCardLoaded(page);
    const outside = (await fetchRequests(ORIGIN)).filter((r) => r.method === 'GET' && !r.path.startsWith('/gallery/'));
    assert.deepEqual(outside, [], 'every request stays under /gallery/');
    const paths = (await fetchRequests(ORIGIN)).map((r) => r.path);
    assert.ok(paths.includes('/gallery/worker_loader.js'), 'the worker loads from the sub-path');
    assert.ok(paths.includes('/gallery/demo/manifest.json'), 'the demo manifest loads from the sub-path');
    const total = totalRows(demoManifest());
    assert.equal(await scrollUntilStable(page, { expected: total }), total);

    // A sample's link keeps the sub-path and opens the same sample in a new session.
    const card = (await readCards(page))[5];
    await page.locator('[data-testid=card]').nth(5).click();
    await waitInPage(page, () => new URL(location.href).searchParams.get('row') !== null, null, { message: 'the sample in the link' });
    assert.equal(new URL(page.url()).pathname, '/gallery/');
    assert.deepEqual([query(page).get('file'), query(page).get('row')], [card.file, card.row]);
    const other = await newContext();
    await other.page.goto(page.url());
    await waitInPage(other.page, () => document.querySelector('[data-testid=sample-view] [data-testid=instruction]')?.textContent.trim(), null, {
      message: 'the sample view from the link',
    });
  });

  e2eTest('the Pages 404 fallback sends any address of the site to the app, query and fragment kept', async ({ page }) => {
    const family = demoManifest().families.find((f) => (f.shards ?? []).length > 0).task;
    // GitHub Pages serves /gallery/404.html for an address it does not have.
    await page.goto(`${ORIGIN}/gallery/404.html?task=${family}#top`);
    await waitInPage(page, () => location.pathname === '/gallery/', null, { message: 'the app' });
    assert.equal(query(page).get('task'), family);
    assert.equal(new URL(page.url()).hash, '#top');
    await waitForFirstCardLoaded(page);
  });
}
