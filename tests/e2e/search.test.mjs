// End-to-end: searching the instructions. The box above the grid puts the query in the
// link (q=); the worker reads the instruction column of each file (never an image) and the
// grid shows the hits, best first, the matching words marked; a link with the query opens
// the same hits for a colleague, and j/k step through them in the sample view.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  closeBrowser,
  demoManifest,
  e2eTest,
  loadAllInstructions,
  query,
  readCards,
  readLoadedCards,
  totalRows,
  waitForFirstCardLoaded,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

/** Types `text` into the search box; returns the number of matches once it is answered. */
async function search(page, text) {
  await page.locator('[data-testid=search]').fill(text);
  const h = await waitInPage(
    page,
    (text) => {
      const s = document.querySelector('[data-testid=search-status]');
      return s?.dataset.query === text && /^(\d+) matching/.exec(s.textContent.trim())?.[1];
    },
    text,
    { message: `the answer to ${text}` },
  );
  return Number(await h.jsonValue());
}

e2eTest('typing a query shows only the matching instructions, ranked, with the words marked', async ({ page, newContext }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  const all = await loadAllInstructions(page);
  assert.equal(all.length, totalRows(demoManifest()), 'every instruction of the demo read first');
  await page.evaluate(() => window.scrollTo(0, 0));
  const want = (re) => all.filter((c) => re.test(c.instruction));

  // "sign" typed whole: every card with the word (sign, signs) and no other.
  const n = await search(page, 'sign ');
  await waitUntil(() => query(page).get('q')?.trim() === 'sign', { message: 'q=sign in the link' });
  assert.equal(n, want(/\bsigns?\b/i).length, 'as many hits as instructions with the word');
  assert.ok(n > 0);
  await waitForFirstCardLoaded(page);
  const cards = await loadAllInstructions(page);
  assert.equal(cards.length, n);
  assert.ok(cards.every((c) => /\bsigns?\b/i.test(c.instruction)), 'every card says sign');
  const marks = await page.$$eval(`${CARD} [data-testid=instruction] mark`, (ms) => ms.map((m) => m.textContent.toLowerCase()));
  assert.ok(marks.length >= 1 && marks.every((m) => m === 'sign' || m === 'signs'), marks.join(','));

  // An exclusion and a phrase narrow it; a prefix while typing widens to the words it starts.
  assert.equal(await search(page, 'sign -neon '), want(/\bsigns?\b/i).filter((c) => !/\bneon\b/i.test(c.instruction)).length);
  assert.equal(await search(page, '"the sky"'), want(/\bthe sky\b/i).length);
  assert.equal(await search(page, 'refl'), want(/\brefl\w*/i).length);

  // A link with the query opens the same hits, and j steps from hit to hit.
  await search(page, 'sign ');
  await page.evaluate(() => window.scrollTo(0, 0));
  await waitForFirstCardLoaded(page);
  const mine = await readLoadedCards(page, 3);
  const other = await newContext();
  await other.page.goto(page.url());
  await waitForFirstCardLoaded(other.page);
  assert.deepEqual(await readLoadedCards(other.page, 3), mine);
  await other.page.locator(CARD).first().click();
  await other.page.locator('[data-testid=sample-view]').waitFor();
  await waitInPage(other.page, () => document.querySelector('[data-testid=sample-view] [data-testid=instruction] mark'), null, { message: 'the sample view marks the words too' });
  if (mine.length > 1) {
    await other.page.keyboard.press('j');
    await waitUntil(() => query(other.page).get('row') === mine[1].row && query(other.page).get('file') === mine[1].file, { message: 'j opens the next hit' });
  }
});

e2eTest('the static index of the demo answers a search: its term part is read, and the hits come from many shards', async ({ page }) => {
  const asked = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  assert.ok(asked.some((p) => p.endsWith('/index/index.json')), 'the manifest named the index');
  asked.length = 0;
  const n = await search(page, 'the ');
  assert.ok(n > 20, `${n} hits`);
  assert.ok(asked.some((p) => /\/index\/terms-\d{4}\.parquet$/.test(p)), asked.join('\n'));
  await waitForFirstCardLoaded(page);
  const cards = await readCards(page);
  const families = new Set(cards.map((c) => c.file.split('/')[0]));
  assert.ok(families.size >= 3, [...families].join(', '));
  const marks = await page.$$eval(`${CARD} [data-testid=instruction] mark`, (ms) => ms.map((m) => m.textContent.toLowerCase()));
  assert.ok(marks.length > 0 && marks.every((m) => m === 'the'), marks.join(','));
});

e2eTest('a link to a sample id opens that sample, found through the index; an unknown id says so', async ({ page, newContext }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  // A sample from a later shard: its id, file and row, as the sample view shows them.
  const cards = await loadAllInstructions(page);
  const target = cards[cards.length - 3];
  await page.locator(`${CARD}[data-file="${target.file}"][data-row="${target.row}"]`).click();
  const idText = page.locator('[data-testid=sample-view] [data-testid=sample-id]');
  await waitUntil(async () => /^\d+$/.test((await idText.textContent()).trim()), { message: 'the sample shows its id' });
  const id = (await idText.textContent()).trim();

  const other = await newContext();
  const asked = [];
  other.page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await other.page.goto(appUrl({ id }));
  await other.page.locator('[data-testid=sample-view]').waitFor();
  await waitUntil(() => query(other.page).get('file') === target.file && query(other.page).get('row') === target.row, {
    message: `id ${id} opens ${target.file} row ${target.row}`,
  });
  assert.equal(query(other.page).get('id'), null, 'the link then names the file and row');
  // The id shows once the row is read ('—' until then).
  const otherId = other.page.locator('[data-testid=sample-view] [data-testid=sample-id]');
  await waitUntil(async () => (await otherId.textContent()).trim() !== '—', { message: 'the sample shows its id' });
  assert.equal((await otherId.textContent()).trim(), id);
  assert.ok(asked.some((p) => /\/index\/catalog[^/]*\.parquet$/.test(p)), asked.join('\n'));

  await other.page.goto(appUrl({ id: 42 }));
  const notice = other.page.locator('[data-testid=id-notice]');
  await notice.waitFor();
  assert.match(await notice.textContent(), /No sample has id 42/);
  assert.equal(await other.page.locator('[data-testid=sample-view]').count(), 0);
});

e2eTest('hits from many shards fill the grid row by row, not a row per shard', async ({ page }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  await search(page, 'the ');
  await waitForFirstCardLoaded(page);
  // The first page of hits holds cards of several files, laid out side by side.
  const first = await page.$$eval('[data-testid=page]:first-of-type [data-row]', (cs) =>
    cs.map((c) => ({ file: c.dataset.file, top: Math.round(c.getBoundingClientRect().top) })),
  );
  assert.ok(first.length >= 12, `${first.length} cards on the first page`);
  assert.ok(new Set(first.map((c) => c.file)).size >= 3, 'several files on one page');
  const rows = new Set(first.map((c) => c.top));
  assert.ok(rows.size < first.length / 2, `cards share rows: ${first.length} cards in ${rows.size} rows`);
});
