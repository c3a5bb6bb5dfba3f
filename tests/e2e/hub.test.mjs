// End-to-end tests of Hugging Face datasets (`hf://datasets/…`) against the local stand-in
// of the Hub that run.mjs starts (HUB_URL, with its CDN at HUB_CDN_URL): the listing read
// page by page, the link pinned to the commit, files counted as the grid reaches them,
// single ranges only, gated datasets and rate limits said plainly.
//
// The page is pointed at the stand-in through localStorage `gallery.hub-standin`, which the
// app honours only when it and the stand-in are both on this computer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';

import {
  FIXTURES_DIR,
  appUrl,
  CARD,
  clearRequests,
  closeBrowser,
  collectDownloads,
  demoManifest,
  e2eTest,
  fetchRequests,
  query,
  readCards,
  scrollUntilStable,
  shardsOf,
  totalRows,
  urls,
  waitForFirstCardLoaded,
  waitForImages,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

const ERROR = '[data-testid=error]';
const FILTER = '[data-testid=family-filter]';

/** Point every page of `context` at the stand-in. */
async function useStandin(context) {
  await context.addInitScript((hub) => localStorage.setItem('gallery.hub-standin', hub), urls.hub);
}

async function hubConfig(params) {
  const res = await fetch(`${urls.hub}/__hub/config?${new URLSearchParams(params)}`, { method: 'POST' });
  assert.ok(res.ok);
  return res.json();
}

async function commitOf(repo) {
  const res = await fetch(`${urls.hub}/api/datasets/${repo}/revision/main`);
  return (await res.json()).sha;
}

/** Types `src` in the source box and opens it. */
async function openInBox(page, src) {
  await page.fill('input[name=src]', src);
  await page.press('input[name=src]', 'Enter');
}

async function errorText(page) {
  await waitInPage(page, (sel) => document.querySelector(sel), ERROR, { message: 'an error message' });
  return (await page.locator(ERROR).first().textContent()).trim();
}

function demoFilesWithRows() {
  return demoManifest().families.flatMap(shardsOf).filter((s) => s.rows > 0);
}

e2eTest('an hf:// dataset typed in the source box opens pinned to its commit, listed page by page', async ({ page, context }) => {
  await useStandin(context);
  await hubConfig({ rate_limited: 0, ttl_ms: 3_600_000 });
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  const sha = await commitOf('demo/scaleedit');
  await clearRequests(urls.hub);
  await clearRequests(urls.hubCdn);

  await openInBox(page, 'hf://datasets/demo/scaleedit');
  await waitInPage(page, (sha) => new URL(location.href).searchParams.get('src')?.endsWith(sha), sha, {
    message: 'src pinned to the commit',
  });
  assert.equal(query(page).get('src'), `hf://datasets/demo/scaleedit@${sha}`);
  await waitForFirstCardLoaded(page);
  const first = (await readCards(page))[0];
  assert.equal(first.file, demoFilesWithRows()[0].path, 'the first file of the catalog order comes first');

  // Families in catalog order, as the demo's manifest lists those with files.
  const options = await page.$$eval(`${FILTER} option`, (os) => os.map((o) => o.value).filter(Boolean));
  const withFiles = demoManifest().families.filter((f) => shardsOf(f).length > 0).map((f) => f.task);
  assert.deepEqual(options, withFiles);

  const hub = await fetchRequests(urls.hub);
  const revisions = hub.filter((r) => r.path.includes('/revision/'));
  const trees = hub.filter((r) => r.path.includes('/tree/'));
  assert.equal(revisions.length, 1, 'the branch is resolved to a commit once');
  assert.ok(trees.every((r) => r.path.includes(sha)), 'the listing is read at the commit');
  const entries = demoManifest().families.filter((f) => shardsOf(f).length).length + demoManifest().families.flatMap(shardsOf).length;
  assert.ok(trees.length >= Math.ceil(entries / 5), `every page of the listing (${trees.length} pages of 5)`);
  // Only single, bounded ranges reach the CDN.
  const cdn = await fetchRequests(urls.hubCdn);
  assert.ok(cdn.length > 0);
  for (const r of cdn) {
    assert.match(r.range ?? '', /^bytes=\d+-\d+$/, `${r.path}: ${r.range}`);
    assert.equal(r.status, 206);
  }
});

e2eTest('files of a Hub dataset are counted as the grid reaches them', async ({ page, context }) => {
  await useStandin(context);
  const sha = await commitOf('demo/scaleedit');
  await clearRequests(urls.hub);
  await page.goto(appUrl({ src: `hf://datasets/demo/scaleedit@${sha}` }));
  await waitForFirstCardLoaded(page);
  const total = totalRows(demoManifest());
  const count = await scrollUntilStable(page, { expected: total });
  assert.equal(count, total, 'every pair of every file, each file counted when reached');
  const files = new Set(page.seenCards.map((c) => c.file));
  assert.equal(files.size, demoFilesWithRows().length);
  const header = await page.locator('.topbar').textContent();
  assert.match(header, new RegExp(`${total} pairs`), 'once all are counted the header says how many pairs');
  // A pinned link asks for no revision.
  const hub = await fetchRequests(urls.hub);
  assert.ok(hub.every((r) => !r.path.includes('/revision/')));
});

e2eTest('a gated dataset asks to accept its terms; a rate-limited Hub asks to wait', async ({ page, context }) => {
  await useStandin(context);
  await page.goto(appUrl({ src: 'hf://datasets/demo/gated' }));
  const gated = await errorText(page);
  assert.match(gated, /accept the dataset's terms at http:\/\/127\.0\.0\.1:\d+\/datasets\/demo\/gated/);

  await hubConfig({ rate_limited: 1 });
  try {
    await page.goto(appUrl({ src: 'hf://datasets/demo/scaleedit' }));
    const limited = await errorText(page);
    assert.match(limited, /wait a few minutes/);
  } finally {
    await hubConfig({ rate_limited: 0 });
  }

  await page.goto(appUrl({ src: 'hf://datasets/demo/no-such-dataset' }));
  assert.match(await errorText(page), /no such dataset/);
  await page.goto(appUrl({ src: 'hf://datasets/demo/scaleedit/../x' }));
  assert.match(await errorText(page), /unsupported source/);
});

e2eTest('later ranges of a Hub file go straight to the CDN, and an expired CDN URL is resolved again once', async ({ page, context }) => {
  await useStandin(context);
  const sha = await commitOf('demo/scaleedit');
  const file = demoFilesWithRows().find((s) => s.rows >= 3 && s !== demoFilesWithRows()[0]).path;
  await hubConfig({ ttl_ms: 4_000, rate_limited: 0 });
  await clearRequests(urls.hub);
  await clearRequests(urls.hubCdn);
  try {
    await page.goto(appUrl({ src: `hf://datasets/demo/scaleedit@${sha}`, file, row: '0' }));
    const instruction = () => page.locator('[data-testid=sample-view] [data-testid=instruction]').first().textContent();
    await waitInPage(page, () => document.querySelector('[data-testid=sample-view] [data-testid=instruction]')?.textContent.trim(), null, {
      message: 'the sample view',
    });
    const resolvesOf = async () => (await fetchRequests(urls.hub)).filter((r) => r.path.includes('/resolve/') && r.path.endsWith(file));
    const cdnOf = async () => (await fetchRequests(urls.hubCdn)).filter((r) => r.path.endsWith(file));
    // Footer, text and images of the file: one resolver hit, the rest straight to the CDN.
    await waitInPage(page, () => document.querySelector('[data-testid=sample-view] img[data-testid=edited-image]')?.naturalWidth > 0, null, {
      message: 'the sample images',
    });
    assert.equal((await resolvesOf()).length, 1);
    assert.ok((await cdnOf()).length >= 3, 'footer, text and images from the CDN');

    // Past the URL's lifetime, the next sample of the file: one 403, one resolution more.
    await page.waitForTimeout(4_500);
    const before = await instruction();
    await page.keyboard.press('j');
    await waitInPage(page, (was) => {
      const t = document.querySelector('[data-testid=sample-view] [data-testid=instruction]')?.textContent.trim();
      return t && t !== was;
    }, before.trim(), { message: 'the next sample' });
    assert.equal(new URL(page.url()).searchParams.get('row'), '1');
    assert.equal((await resolvesOf()).length, 2);
    const statuses = (await cdnOf()).map((r) => r.status);
    assert.ok(statuses.includes(403), `the expired URL was tried: ${statuses}`);
    assert.equal(await page.locator(ERROR).count(), 0);
  } finally {
    await hubConfig({ ttl_ms: 3_600_000 });
  }
});

e2eTest('a token typed in the token box opens a gated dataset; it stays in this tab and goes to the Hub only', async ({ page, context, newContext }) => {
  await useStandin(context);
  await clearRequests(urls.hub);
  await clearRequests(urls.hubCdn);
  await page.goto(appUrl({ src: 'hf://datasets/demo/gated' }));
  const link = page.locator(`${ERROR} a`, { hasText: '/datasets/demo/gated' });
  await link.first().waitFor({ timeout: 20_000 });
  assert.equal(await link.first().getAttribute('target'), '_blank', 'the terms page opens beside the gallery');

  await page.click('[data-testid=hub-token-toggle]');
  await page.fill('[data-testid=hub-token]', 'hf_e2e_token');
  await page.press('[data-testid=hub-token]', 'Enter');
  await waitForFirstCardLoaded(page);
  assert.match(await page.locator('[data-testid=hub-token-toggle]').textContent(), /✓/);

  // Kept for this tab only, never in the address, never sent to the CDN (which refuses
  // any Authorization: every image arrived, so none was sent there).
  assert.equal(await page.evaluate(() => sessionStorage.getItem('gallery.hub-token')), 'hf_e2e_token');
  const persistent = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  assert.ok(!persistent.includes('hf_e2e_token'), persistent);
  assert.ok(!page.url().includes('hf_e2e_token'));
  const all = [...(await fetchRequests(urls.hub)), ...(await fetchRequests(urls.hubCdn))];
  assert.ok(all.every((r) => !r.path.includes('hf_e2e_token')));
  assert.ok((await fetchRequests(urls.hubCdn)).every((r) => r.status === 206));

  // Nor in anything the user takes away: flag exports, a downloaded pair, a copied link,
  // the console.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: urls.app });
  const card = page.locator(CARD).first();
  await card.hover();
  await card.locator('[data-testid=flag-button]').click();
  const taken = [
    ...(await collectDownloads(page, 1, () => page.locator('[data-testid=export-jsonl]').click())),
    ...(await collectDownloads(page, 1, () => page.locator('[data-testid=export-csv]').click())),
  ];
  await card.click();
  await waitForImages(page, '[data-testid=sample-view]');
  taken.push(...(await collectDownloads(page, 3, () => page.locator('[data-testid=download-pair]').click())));
  await page.locator('[data-testid=copy-link]').click();
  await page.locator('[data-testid=copied]').waitFor();
  taken.push({ name: 'copied link', bytes: Buffer.from(await page.evaluate(() => navigator.clipboard.readText())) });
  taken.push({ name: 'console', bytes: Buffer.from(page.consoleLog.join('\n')) });
  assert.equal(taken.length, 7);
  assert.ok(taken.find((t) => t.name.endsWith('.jsonl')).bytes.toString().includes('"row":'), 'the export holds the flag');
  for (const t of taken) assert.ok(!t.bytes.includes('hf_e2e_token'), `the token is in ${t.name}`);
  await page.keyboard.press('Escape');

  // A worker started after a crash gets the token again: it reads the gated files anew.
  await clearRequests(urls.hub);
  await clearRequests(urls.hubCdn);
  await page.evaluate(() => window.dispatchEvent(new CustomEvent('gallery-diagnostics', { detail: 'crash-worker' })));
  await waitUntil(async () => (await fetchRequests(urls.hubCdn)).some((r) => r.status === 206), { message: 'reads of the new worker' });
  await waitForFirstCardLoaded(page);
  const resolved = (await fetchRequests(urls.hub)).filter((r) => r.path.includes('/resolve/'));
  assert.ok(resolved.length > 0 && resolved.every((r) => r.status === 302), JSON.stringify(resolved));
  assert.equal(await page.locator(ERROR).count(), 0);
  assert.ok(page.problems.every((p) => /crash requested for diagnostics/.test(p)), page.problems.join('\n'));
  page.problems.length = 0;

  // Another tab (a fresh session) does not have it; a wrong token there is refused, and
  // the message says so.
  const other = await newContext();
  await useStandin(other.context);
  await other.page.goto(appUrl({ src: 'hf://datasets/demo/gated' }));
  assert.match(await errorText(other.page), /accept the dataset's terms/);
  await other.page.click('[data-testid=hub-token-toggle]');
  await other.page.fill('[data-testid=hub-token]', 'hf_wrong');
  await other.page.press('[data-testid=hub-token]', 'Enter');
  await waitInPage(other.page, () => /has no access to it yet/.test(document.querySelector('[data-testid=error]')?.textContent ?? ''), null, {
    message: 'the refusal of the wrong token',
  });
});

/** tests/fixtures/presets/expected.json (written by make_presets.py). */
function presets() {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'presets', 'expected.json'), 'utf8'));
}

e2eTest('other datasets open by their column layout, images stored as the Hub image struct included', async ({ page, context }) => {
  await useStandin(context);
  for (const name of ['magicbrush.parquet', 'omniedit.parquet']) {
    const want = presets().files[name];
    await page.goto(appUrl({ src: `hf://datasets/test/fixtures/presets/${name}` }));
    await waitForFirstCardLoaded(page);
    assert.match(await page.locator('[data-testid=layout]').textContent(), new RegExp(`${want.layout} layout`));
    const cards = await readCards(page);
    assert.equal(cards.length, want.num_rows);
    assert.equal(cards[0].instruction, want.rows[0].instruction, `${name}: the first instruction of the list`);
  }
});

e2eTest('a file no layout fits lists its columns, and map= in the link opens it', async ({ page }) => {
  const src = `${urls.data}/presets/mapped.parquet`;
  await page.goto(appUrl({ src }));
  const text = await errorText(page);
  assert.match(text, /the file has: id, before, after, caption/);
  assert.match(text, /map=source:<column>,edited:<column>,instruction:<column>/);

  await page.goto(appUrl({ src, map: 'source:before,edited:after,instruction:caption' }));
  await waitForFirstCardLoaded(page);
  const cards = await readCards(page);
  assert.deepEqual(cards.map((c) => c.instruction), presets().files['mapped.parquet'].rows.map((r) => r.instruction));
  assert.match(await page.locator('[data-testid=layout]').textContent(), /as the link names them/);
  assert.equal(query(page).get('map'), 'source:before,edited:after,instruction:caption', 'the map stays in the link');

  await page.goto(appUrl({ src, map: 'picture:before' }));
  assert.match(await errorText(page), /unknown role `picture`/);
});

e2eTest('a file of a Hub dataset that cannot be read is reported in its place and can be skipped', async ({ page, context }) => {
  await useStandin(context);
  // test/fixtures: at its top level, valid files around not_parquet.parquet (an HTML page).
  await page.goto(appUrl({ src: 'hf://datasets/test/fixtures', task: '.' }));
  await waitForFirstCardLoaded(page);
  let skip = page.locator('[data-testid=skip-file]');
  for (let i = 0; i < 60 && !(await skip.count()); i++) {
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
    await page.waitForTimeout(250);
  }
  const error = page.locator(ERROR, { has: skip });
  assert.match(await error.first().textContent(), /not_parquet\.parquet: not a Parquet file/);
  await skip.first().click();
  // The grid goes on with the next file.
  const next = page.locator('[data-testid=card][data-file="pyarrow_cdc.parquet"]');
  for (let i = 0; i < 60 && !(await next.count()); i++) {
    await page.evaluate(() => window.scrollTo(0, document.scrollingElement.scrollHeight));
    await page.waitForTimeout(250);
  }
  assert.ok((await next.count()) > 0, 'pairs of the file after the skipped one');
  const files = new Set((await readCards(page)).map((c) => c.file));
  assert.ok(!files.has('not_parquet.parquet'));
});
