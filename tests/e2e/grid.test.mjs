// End-to-end: the grid at scale. Pages far from the viewport leave the DOM (and their
// images memory); cards show thumbnails made in the worker, the sample view the images as
// stored; the thumbnail size (size=) and a seeded random order (seed=) are in the link,
// and a collaborator opening it sees the same cards in the same order.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  clearRequests,
  closeBrowser,
  demoManifest,
  e2eTest,
  fetchRequests,
  query,
  readCards,
  readLoadedCards,
  scrollToBottom,
  scrollUntilStable,
  totalRows,
  urls,
  waitForFirstCardLoaded,
  waitForImages,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

e2eTest('far pages keep only their height: the DOM holds the cards near the viewport', async ({ page }) => {
  const total = totalRows(demoManifest());
  await page.goto(appUrl({ size: 'l' }));
  await waitForFirstCardLoaded(page);
  const seen = await scrollUntilStable(page, { expected: total });
  assert.equal(seen, total, 'every pair was shown on the way down');
  const inDom = await page.locator(CARD).count();
  assert.ok(inDom < total, `only the cards near the viewport are in the DOM (${inDom} of ${total})`);
  const far = await page.$$eval('[data-testid=page].far', (ps) => ps.map((p) => ({ cards: p.querySelectorAll('[data-testid=card]').length, height: p.getBoundingClientRect().height })));
  assert.ok(far.length > 0, 'pages above were let go');
  assert.ok(far.every((p) => p.cards === 0 && p.height > 100), JSON.stringify(far));
  const imgs = await page.locator(`${CARD} img`).count();
  assert.ok(imgs <= 2 * inDom);

  // Back at the top, the first cards come back, images included, where they were.
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitForFirstCardLoaded(page);
  const first = (await readCards(page))[0];
  assert.equal(first.row, page.seenCards[0].row);
  assert.equal(first.file, page.seenCards[0].file);
});

e2eTest('cards show thumbnails decoded in the worker; the sample view shows the stored images', async ({ page }) => {
  await page.goto(appUrl({ size: 's' }));
  await waitForFirstCardLoaded(page);
  const card = await page.evaluate(async () => {
    const shown = document.querySelector('[data-testid=card] [data-testid=source-image]');
    // The thumbnail's pixels: not blank (a canvas that never got its bitmap is).
    const copy = new OffscreenCanvas(shown.width, shown.height);
    const ctx = copy.getContext('2d');
    ctx.drawImage(shown, 0, 0);
    const px = ctx.getImageData(0, 0, shown.width, shown.height).data;
    const tones = new Set();
    for (let i = 0; i < px.length; i += 4 * 97) tones.add(px[i] >> 4);
    return { tag: shown.tagName, width: shown.width, height: shown.height, tones: tones.size, label: shown.getAttribute('aria-label'), role: shown.getAttribute('role') };
  });
  await page.locator(CARD).first().click();
  await waitForImages(page, '[data-testid=sample-view]');
  const full = await page.evaluate(async () => {
    const img = document.querySelector('[data-testid=sample-view] img[data-testid=source-image]');
    const blob = await (await fetch(img.src)).blob();
    return { type: blob.type, bytes: blob.size, width: img.naturalWidth, height: img.naturalHeight };
  });
  assert.equal(card.tag, 'CANVAS', 'the card shows a thumbnail on a canvas');
  assert.equal(card.role, 'img');
  assert.equal(card.label, 'source');
  assert.ok(card.tones > 3, `the thumbnail has its picture (${card.tones} tones)`);
  assert.match(full.type, /^image\/(jpeg|png)$/, 'the sample view holds the image as stored');
  // size=s: 220 px cards, images at 0.6 of that, in 16 px steps (device pixel ratio 1).
  assert.equal(card.width, 144);
  assert.ok(full.width > card.width, `${full.width} > ${card.width}`);
  assert.ok(Math.abs(card.height / card.width - full.height / full.width) < 0.02, 'the aspect ratio is kept');
  assert.ok(card.width * card.height * 4 < full.width * full.height, `thumbnail ${card.width}×${card.height} vs ${full.width}×${full.height}`);
});

/** Scrolls down until at least `n` cards are in the DOM. */
async function atLeastCards(page, n) {
  await waitUntil(async () => {
    if ((await page.locator(CARD).count()) >= n) return true;
    await scrollToBottom(page);
    return false;
  }, { message: `${n} cards`, interval: 250 });
  await page.evaluate(() => window.scrollTo(0, 0));
}

e2eTest('size and a seeded shuffle go into the link; the same link shows the same cards in the same order', async ({ page, newContext }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  const ordered = await readCards(page);

  await page.locator('[data-testid=size-l]').click();
  await waitUntil(() => query(page).get('size') === 'l', { message: 'size=l' });
  await page.locator('[data-testid=order-shuffle]').click();
  await waitUntil(() => query(page).get('seed'), { message: 'a seed in the link' });
  await waitForFirstCardLoaded(page);
  await atLeastCards(page, 12);
  const shuffled = await readLoadedCards(page, 12);
  assert.notDeepEqual(shuffled.map((c) => `${c.file}#${c.row}`), ordered.slice(0, 12).map((c) => `${c.file}#${c.row}`), 'another order');
  assert.ok(new Set(shuffled.map((c) => c.file)).size >= 2, 'the first cards come from several files');
  assert.equal(await page.$eval('section.grid', (g) => g.dataset.size), 'l');

  // A collaborator opening the link sees the same order.
  const link = page.url();
  const other = await newContext();
  await other.page.goto(link);
  await waitForFirstCardLoaded(other.page);
  await atLeastCards(other.page, 12);
  assert.deepEqual(await readLoadedCards(other.page, 12), shuffled);

  // In the sample view, j steps through the shuffled order too.
  await page.locator(CARD).first().click();
  await page.locator('[data-testid=sample-view]').waitFor();
  for (const next of shuffled.slice(1, 4)) {
    await page.keyboard.press('j');
    await waitUntil(() => query(page).get('row') === next.row && query(page).get('file') === next.file, {
      message: `j opens ${next.file}#${next.row}`,
    });
  }
  await page.keyboard.press('Escape');

  // Back to file order: the seed leaves the link.
  await page.locator('[data-testid=order-file]').click();
  await waitUntil(() => !query(page).get('seed'), { message: 'no seed' });
  await waitForFirstCardLoaded(page);
  assert.deepEqual((await readCards(page))[0], ordered[0]);
});

e2eTest('a page whose images cost more than the limit says what they would cost and waits for a yes', async ({ page, context }) => {
  // A limit of 1 KB (the user's own, kept in this browser) makes any page ask.
  await context.addInitScript(() => localStorage.setItem('gallery.ask-above-bytes', '1000'));
  const file = `${urls.data}/pyarrow_page_index_plain.parquet`;
  await page.goto(appUrl({ src: file }));
  const ask = page.locator('[data-testid=cost-ask]').first();
  await ask.waitFor({ timeout: 30_000 });
  assert.match(await ask.textContent(), /would fetch (about )?[\d.]+ (KB|MB) in \d+ requests? from pyarrow_page_index_plain\.parquet/);
  await waitInPage(page, () => document.querySelector('[data-testid=card] [data-testid=instruction]')?.textContent.trim(), null, { message: 'the text is shown meanwhile' });
  const before = await fetchRequests(urls.data);
  await page.waitForTimeout(500);
  assert.equal((await fetchRequests(urls.data)).length, before.length, 'nothing more is fetched while it asks');
  assert.equal(await page.locator(`${CARD} [data-testid=source-image]:is(img[src], canvas)`).count(), 0, 'no image yet');

  await page.locator('[data-testid=cost-fetch]').first().click();
  await waitForFirstCardLoaded(page);
  assert.equal(await page.locator('[data-testid=cost-ask]').count(), 0, 'the file was agreed to: its pages no longer ask');
});

e2eTest('reads for a view the user has left are aborted, not finished', async ({ page }) => {
  // After the probe and the footer, every answer of this file holds its body back for 4 s.
  const path = '/__faults/pause=0:4000@2/pyarrow_page_index_plain.parquet';
  await clearRequests(urls.data);
  await page.goto(appUrl({ src: urls.data + path }));
  await waitUntil(async () => (await fetchRequests(urls.data)).filter((r) => r.path === path).length >= 3, { message: 'the grid\'s first read sent' });
  // Leave the view: only flagged samples, and there are none, so the grid's pages go away.
  await page.locator('[data-testid=flagged-filter]').check();
  await waitUntil(() => query(page).get('flagged') === '1', { message: 'flagged=1' });
  await page.waitForTimeout(5_000);
  const held = (await fetchRequests(urls.data)).filter((r) => r.path === path).slice(2);
  assert.ok(held.length >= 1);
  assert.deepEqual(held.map((r) => r.body_bytes), held.map(() => 0), 'every held read was aborted before its body came');
});
