// End-to-end: a worker that dies (here by the app's diagnostics event, which makes it panic)
// is reported to the user, replaced by a fresh one, and the view comes back as it was.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  closeBrowser,
  e2eTest,
  readCards,
  urls,
  waitForFirstCardLoaded,
  waitForImages,
  waitInPage,
} from './lib.mjs';

after(closeBrowser);

e2eTest('a crashed worker is reported, restarted, and the grid and open sample come back', async ({ page }) => {
  const file = `${urls.data}/pyarrow_page_index_plain.parquet`;
  await page.goto(appUrl({ src: file, file, row: '2' }));
  await waitForFirstCardLoaded(page);
  await waitForImages(page, '[data-testid=sample-view]');
  const before = await readCards(page);
  const sampleBefore = await page.locator('[data-testid=sample-view] [data-testid=instruction]').textContent();

  await page.evaluate(() =>
    window.dispatchEvent(new CustomEvent('gallery-diagnostics', { detail: 'crash-worker' })),
  );

  await waitInPage(
    page,
    () => /background worker stopped/i.test(document.body.textContent),
    null,
    { message: 'the crash notice' },
  );
  // The panic was the requested one; nothing else went wrong.
  assert.ok(page.problems.length >= 1 && page.problems.every((p) => /crash requested for diagnostics/.test(p)), page.problems.join('\n'));
  page.problems.length = 0;

  await waitForFirstCardLoaded(page);
  await waitForImages(page, '[data-testid=sample-view]');
  await waitInPage(
    page,
    (n) => [...document.querySelectorAll('[data-testid=card] [data-testid=instruction]')].filter((e) => e.textContent.trim()).length >= n,
    before.filter((c) => c.instruction).length,
    { message: 'every card filled again' },
  );
  const afterCards = await readCards(page);
  assert.deepEqual(afterCards, before, 'the same cards with the same instructions');
  const sampleAfter = await page.locator('[data-testid=sample-view] [data-testid=instruction]').textContent();
  assert.equal(sampleAfter, sampleBefore);
  assert.equal(new URL(page.url()).searchParams.get('row'), '2');
  assert.ok((await page.locator(CARD).count()) > 0);
});

e2eTest('flags and their notes survive a crash of the worker and a reload', async ({ page }) => {
  const file = `${urls.data}/pyarrow_page_index_plain.parquet`;
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  await page.locator(CARD).first().click();
  await page.locator('[data-testid=sample-view]').waitFor();
  await page.keyboard.press('f');
  await page.locator('[data-testid=flag-note]').fill('halo around the edit');
  await page.locator('[data-testid=flag-note]').press('Tab');
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await waitInPage(page, () => document.querySelector('[data-testid=flag-count]')?.textContent.trim() === '1', null, { message: 'one flag' });

  await page.evaluate(() => window.dispatchEvent(new CustomEvent('gallery-diagnostics', { detail: 'crash-worker' })));
  await waitInPage(page, () => /background worker stopped/i.test(document.body.textContent), null, { message: 'the crash notice' });
  page.problems.length = 0;
  await waitForFirstCardLoaded(page);
  assert.equal((await page.locator('[data-testid=flag-count]').textContent()).trim(), '1', 'the flag outlived the worker');

  await page.reload();
  await waitForFirstCardLoaded(page);
  assert.equal((await page.locator('[data-testid=flag-count]').textContent()).trim(), '1', 'and the reload');
  await page.locator(CARD).first().click();
  await page.locator('[data-testid=sample-view]').waitFor();
  assert.equal(await page.locator('[data-testid=flag-note]').inputValue(), 'halo around the edit');
});

e2eTest('a worker that keeps failing is restarted three times, then the view is left as it is, and the notice says so', async ({ page }) => {
  const file = `${urls.data}/pyarrow_page_index_plain.parquet`;
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  const crash = () => page.evaluate(() => window.dispatchEvent(new CustomEvent('gallery-diagnostics', { detail: 'crash-worker' })));
  // Each crash is requested of the worker started after the one before.
  for (let n = 1; n <= 3; n += 1) {
    await crash();
    for (const t0 = Date.now(); page.problems.length < n; await page.waitForTimeout(50)) {
      assert.ok(Date.now() - t0 < 15_000, `crash ${n} was reported`);
    }
  }
  await waitInPage(page, () => /3 times within 20 s/.test(document.body.textContent), null, { timeout: 30_000, message: 'the notice that the view was not reloaded' });
  assert.ok(page.problems.length >= 3 && page.problems.every((p) => /crash requested for diagnostics/.test(p)), page.problems.join('\n'));
  const crashes = page.problems.length;
  await page.waitForTimeout(3_000);
  assert.equal(page.problems.length, crashes, 'and no more: the view is not reloaded into the same failure');
  page.problems.length = 0;
});

e2eTest('definition levels that once made the decoder panic end in a message naming the file and the page, with no crash', async ({ page }) => {
  // Found by fuzzing: a bit-packed run of definition levels claiming more bytes than the page holds.
  const file = `${urls.data}/fuzz/footer_definition_levels_panic.parquet`;
  await page.goto(appUrl({ src: file }));
  await waitInPage(page, () => /bit-packed run/.test(document.body.textContent), null, { timeout: 30_000, message: 'the message about the levels' });
  const text = await page.locator('body').textContent();
  assert.match(text, /footer_definition_levels_panic\.parquet/);
  assert.doesNotMatch(text, /background worker stopped/i);
  assert.deepEqual(page.problems.filter((p) => /panicked|unreachable/i.test(p)), []);
  page.problems.length = 0;
});
