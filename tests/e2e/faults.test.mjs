// End-to-end: the gallery on a bad network. The data origin injects faults on request
// (`/__faults/<spec>/<file>`, see src/cli/faults.rs): server errors, connections cut in
// the middle of a body, an ETag that changes mid-session. Every image shown must be the
// one pyarrow wrote for its card, retries stay bounded, and a failure the retries cannot
// hide is shown with the file and the fault, and a way to try again.
import assert from 'node:assert/strict';
import { after, beforeEach } from 'node:test';

import {
  CARD,
  appUrl,
  clearRequests,
  closeBrowser,
  e2eTest,
  expectedFixtures,
  fetchRequests,
  urls,
  waitForFirstCardLoaded,
  waitInPage,
} from './lib.mjs';

after(closeBrowser);
// Clearing the log also starts the server's fault counters again.
beforeEach(() => clearRequests(urls.data));

const FILE = 'pyarrow_page_index_plain.parquet';

/** SHA-256 of what each loaded card shows (the pixels of a thumbnail, the bytes behind an
 * image as stored), with the card's row. */
function shownImages(page) {
  return page.evaluate(async () => {
    const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const out = [];
    for (const card of document.querySelectorAll('[data-testid=card]')) {
      const imgs = ['source-image', 'edited-image'].map((id) => card.querySelector(`[data-testid=${id}]`));
      if (!imgs.every((i) => i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0))) continue;
      const bytes = async (i) => (i.tagName === 'CANVAS' ? new TextEncoder().encode(i.toDataURL()) : await (await fetch(i.src)).arrayBuffer());
      const [source, edited] = await Promise.all(imgs.map(async (i) => hex(await crypto.subtle.digest('SHA-256', await bytes(i)))));
      out.push({ row: Number(card.getAttribute('data-row')), source, edited });
    }
    return out;
  });
}

/** Waits until at least `n` cards show both their images. */
function waitForLoadedCards(page, n) {
  return waitInPage(
    page,
    (n) => [...document.querySelectorAll('[data-testid=card] [data-testid=edited-image]')].filter((i) => (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0)).length >= n,
    n,
    { message: `${n} cards with images` },
  );
}

function assertRightImages(shown) {
  const rows = expectedFixtures().files[FILE].rows;
  assert.ok(shown.length >= 4, `some cards loaded their images (${shown.length})`);
  for (const s of shown) {
    assert.equal(s.source, rows[s.row].source_image_sha256, `source image of row ${s.row}`);
    assert.equal(s.edited, rows[s.row].edited_image_sha256, `edited image of row ${s.row}`);
  }
}

e2eTest('a flaky server (errors, cut connections) still shows the right image on every card', async ({ page }) => {
  // The first answer is a 503, the next three are cut after 5000 bytes.
  const path = `/__faults/status=503x1,reset=5000x3/${FILE}`;
  const file = urls.data + path;
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  await waitForLoadedCards(page, 8);
  assert.equal(await page.locator('[data-testid=error]').count(), 0, 'the retries hid every fault');
  assertRightImages(await shownImages(page));
  const log = (await fetchRequests(urls.data)).filter((r) => r.path === path);
  assert.equal(log[0].status, 503);
  assert.ok(log.length >= 5, `the failed answers were asked again (${log.length} requests)`);
});

e2eTest('a server down for a while is named with its fault, and "Try again" brings the pairs', async ({ page }) => {
  // The probe and the footer pass; the next twelve answers fail, then the server is back.
  const path = `/__faults/status=503@2x12/${FILE}`;
  const file = urls.data + path;
  await page.goto(appUrl({ src: file }));
  const error = page.locator('[data-testid=error]').first();
  await error.waitFor({ timeout: 30_000 });
  const message = await error.textContent();
  assert.match(message, new RegExp(FILE.replace(/\./g, '\\.')), 'the message names the file');
  assert.match(message, /503/, 'and the fault');
  const failed = (await fetchRequests(urls.data)).filter((r) => r.path === path && r.status === 503);
  assert.equal(failed.length % 4, 0, `each failed read was tried four times (${failed.length} failures)`);

  // Every failed page offers to try again; once the server is back, the cards fill in.
  let tries = 0;
  for (;;) {
    const state = await waitInPage(
      page,
      () => {
        if (document.querySelector('[data-testid=try-again]')) return 'failed';
        const card = document.querySelector('[data-testid=card]');
        const imgs = card ? [...card.querySelectorAll('[data-testid$=-image]')] : [];
        return imgs.length === 2 && imgs.every((i) => (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0)) ? 'shown' : false;
      },
      null,
      { timeout: 30_000, message: 'the pairs, or a way to try again' },
    ).then((h) => h.jsonValue());
    if (state === 'shown') break;
    assert.ok(++tries <= 4, 'the server came back after twelve failures; four tries are enough');
    await page.locator('[data-testid=try-again]').first().click();
  }
  assert.ok(tries >= 1, 'the user tried again');
  await waitForLoadedCards(page, 4);
  assertRightImages(await shownImages(page));
  const log = (await fetchRequests(urls.data)).filter((r) => r.path === path);
  assert.equal(log.filter((r) => r.status === 503).length, 12);
});

e2eTest('a file replaced while the grid reads it is read again from its footer', async ({ page }) => {
  // The first three answers carry ETags of their own, as if the file changed between reads.
  const path = `/__faults/etagx3/${FILE}`;
  await page.goto(appUrl({ src: urls.data + path }));
  await waitForFirstCardLoaded(page);
  await waitForLoadedCards(page, 4);
  assertRightImages(await shownImages(page));
  const log = (await fetchRequests(urls.data)).filter((r) => r.path === path);
  const ranges = log.map((r) => r.range);
  const footer = ranges.find((r, i) => ranges.indexOf(r) !== i);
  assert.ok(footer, `some range (the footer) was read twice: ${ranges.join(' ')}`);
});
