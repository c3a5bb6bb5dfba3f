// End-to-end: score filters. Chips for each score and value, with how many pairs of the
// files read have it; a filter in the link (if=, ec=, gq=) shows only the pairs with those
// scores, across every file, and comes back in a new session.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  closeBrowser,
  demoManifest,
  e2eTest,
  query,
  scrollUntilStable,
  totalRows,
  waitForFirstCardLoaded,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

const KEYS = ['if', 'ec', 'gq'];

/** The chip counts: { if: [n1, n2, n3], ec: …, gq: … }. */
function chipCounts(page) {
  return page.evaluate((keys) => Object.fromEntries(keys.map((k) => [k, [1, 2, 3].map((v) => Number(document.querySelector(`[data-testid=score-count-${k}-${v}]`).textContent))])), KEYS);
}

/**
 * Each card's scores, as { if, ec, gq } numbers, once every card in the DOM shows them
 * (read in the same look as the check: a page added meanwhile brings cards still loading).
 */
async function cardScores(page) {
  const found = await waitInPage(
    page,
    () => {
      const cards = [...document.querySelectorAll('[data-testid=card]')];
      if (!cards.every((c) => c.querySelector('.score'))) return null;
      return cards.map((c) => Object.fromEntries([...c.querySelectorAll('.score')].map((s) => {
        const [name, value] = s.textContent.trim().split(' ');
        return [name.toLowerCase(), Number(value)];
      })));
    },
    null,
    { message: 'scores on the cards' },
  );
  return found.jsonValue();
}

e2eTest('histograms count every pair once all files are read; a filter shows exactly the pairs it counts', async ({ page, newContext }) => {
  const total = totalRows(demoManifest());
  const files = demoManifest().families.reduce((n, f) => n + f.shards.length, 0);
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  await page.locator('[data-testid=score-read-all]').click();
  await waitUntil(async () => (await page.locator('[data-testid=score-status]').textContent()) === `scores of ${files} of ${files} files`, { message: 'every file read' });
  const counts = await chipCounts(page);
  for (const k of KEYS) assert.equal(counts[k].reduce((a, b) => a + b, 0), total, `${k}: every pair counted once`);

  // The rarest non-empty editing-consistency value: only its pairs are shown.
  const value = [1, 2, 3].filter((v) => counts.ec[v - 1] > 0).sort((a, b) => counts.ec[a - 1] - counts.ec[b - 1])[0];
  await page.locator(`[data-testid=score-ec-${value}]`).click();
  await waitUntil(() => query(page).get('ec') === String(value), { message: `ec=${value}` });
  assert.equal(await page.locator(`[data-testid=score-ec-${value}]`).getAttribute('aria-pressed'), 'true');
  await waitForFirstCardLoaded(page);
  const seen = await scrollUntilStable(page, { expected: counts.ec[value - 1] });
  assert.equal(seen, counts.ec[value - 1], 'as many cards as the chip counts');
  assert.ok((await cardScores(page)).every((s) => s.ec === value), `every card has EC ${value}`);
  assert.match(await page.locator('.sentinel').textContent(), /matching pairs shown/);

  // The link brings the filter back for a collaborator; a second score narrows further.
  const link = page.url();
  const other = await newContext();
  await other.page.goto(link);
  await waitForFirstCardLoaded(other.page);
  assert.equal(await other.page.locator(`[data-testid=score-ec-${value}]`).getAttribute('aria-pressed'), 'true');
  assert.ok((await cardScores(other.page)).every((s) => s.ec === value));
  await other.page.locator('[data-testid=score-gq-1]').click();
  await waitUntil(() => query(other.page).get('gq') === '1', { message: 'gq=1' });
  // The sentinel's text of the grid before (also "matching pairs shown") may still be up
  // when the URL has changed: wait for the narrowed grid's cards themselves.
  await waitInPage(
    other.page,
    (ec) => {
      const done = /No pairs with these scores|matching pairs shown/.test(document.querySelector('.sentinel')?.textContent ?? '');
      const cards = [...document.querySelectorAll('[data-testid=card]')];
      const score = (c, name) => [...c.querySelectorAll('.score')].map((s) => s.textContent.trim().split(' ')).find(([n]) => n.toLowerCase() === name)?.[1];
      return done && cards.every((c) => score(c, 'ec') === String(ec) && score(c, 'gq') === '1');
    },
    value,
    { message: 'the narrowed grid' },
  );
  assert.ok((await cardScores(other.page)).every((s) => s.ec === value && s.gq === 1));

  await page.locator('[data-testid=score-clear]').click();
  await waitUntil(() => !query(page).get('ec'), { message: 'filters cleared' });
  await waitForFirstCardLoaded(page);
  assert.ok((await page.locator(CARD).count()) > 0);
});
