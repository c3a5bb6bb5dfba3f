// Helpers of the end-to-end tests: the browser, pages that record uncaught errors and
// panics, waits on the gallery's elements, and the request log of `gallery serve`.
//
// The tests run under run.mjs, which starts the servers and passes their origins in
// APP_URL (the built app), DATA_URL (tests/fixtures, with CORS) and NORANGE_URL
// (tests/fixtures, with CORS, ignoring Range).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(E2E_DIR, '..', '..');
export const OUT_DIR = path.join(E2E_DIR, 'out');
export const DIST_DIR = process.env.DIST_DIR || path.join(ROOT, 'dist');
export const FIXTURES_DIR = path.join(ROOT, 'tests', 'fixtures');

/** Per-test time limit (ms); a test gets a screenshot when it runs out. */
export const TEST_TIMEOUT = Number(process.env.E2E_TEST_TIMEOUT || 60_000);

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with node tests/e2e/run.mjs`);
  return value.replace(/\/+$/, '');
}

/** Origins of the three servers started by run.mjs (no trailing slash). */
export const urls = {
  get app() { return requiredEnv('APP_URL'); },
  get data() { return requiredEnv('DATA_URL'); },
  get norange() { return requiredEnv('NORANGE_URL'); },
  get hub() { return requiredEnv('HUB_URL'); },
  get hubCdn() { return requiredEnv('HUB_CDN_URL'); },
};

/** The app's URL with the given query parameters (values are encoded). */
export function appUrl(params = {}) {
  const url = new URL(urls.app + '/');
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

// ---------------------------------------------------------------------------------------
// Browser

let browserPromise = null;

/**
 * Launches headless Chromium (Debian's, never a downloaded one) once per test file.
 * Playwright gives it a fresh temporary profile; every context is a fresh session.
 */
export function getBrowser() {
  browserPromise ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  return browserPromise;
}

export async function closeBrowser() {
  if (!browserPromise) return;
  const browser = await browserPromise.catch(() => null);
  browserPromise = null;
  await browser?.close().catch(() => {});
}

/**
 * A new page in `context` whose uncaught errors (page and worker) and `panicked` console
 * messages are collected in `page.problems`.
 */
export async function newPage(context) {
  const page = await context.newPage();
  const problems = [];
  page.problems = problems;
  page.consoleLog = [];
  const onConsole = (where) => (msg) => {
    const text = msg.text();
    page.consoleLog.push(`[${where} ${msg.type()}] ${text}`);
    if (/panicked/i.test(text)) problems.push(`${where} console.${msg.type()}: ${text}`);
  };
  page.on('pageerror', (err) => problems.push(`uncaught error: ${err.stack || err.message}`));
  page.on('crash', () => problems.push('page crashed'));
  page.on('console', (msg) => {
    // Messages of workers are recorded by the worker's own listener below.
    if (typeof msg.worker === 'function' && msg.worker()) return;
    onConsole('page')(msg);
  });
  page.on('worker', (worker) => worker.on('console', onConsole(`worker ${worker.url()}`)));
  return page;
}

/** Fails when `page` recorded an uncaught error or a panic. */
export function assertNoProblems(page, when = '') {
  assert.deepEqual(page.problems, [], `uncaught errors or panics${when ? ' ' + when : ''}`);
}

function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80);
}

async function saveScreenshots(name, pages) {
  mkdirSync(OUT_DIR, { recursive: true });
  let i = 0;
  for (const page of pages) {
    if (page.isClosed()) continue;
    const file = path.join(OUT_DIR, `${slug(name)}${i ? '-' + i : ''}.png`);
    i += 1;
    try {
      await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
      console.error(`# screenshot: ${path.relative(ROOT, file)} (${page.url()})`);
    } catch (e) {
      console.error(`# screenshot failed: ${e.message}`);
    }
    if (page.consoleLog?.length) {
      console.error(`# console of ${page.url()}:\n#   ` + page.consoleLog.slice(-30).join('\n#   '));
    }
  }
}

/**
 * A test with a fresh browser context and page. `body({ page, context, newContext })` runs
 * under a time limit; afterwards the page must have recorded no uncaught error or panic.
 * On failure every page of the test is saved as a screenshot in tests/e2e/out/.
 */
export function e2eTest(name, body, { timeout = TEST_TIMEOUT } = {}) {
  test(name, { timeout: timeout + 15_000 }, async () => {
    const browser = await getBrowser();
    const contexts = [];
    const pages = [];
    const newContext = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      contexts.push(context);
      const page = await newPage(context);
      pages.push(page);
      return { context, page };
    };
    const { context, page } = await newContext();
    let timer;
    try {
      const limit = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`test timed out after ${timeout} ms`)), timeout);
      });
      await Promise.race([body({ page, context, newContext }), limit]);
      for (const p of pages) assertNoProblems(p);
    } catch (err) {
      await saveScreenshots(name, pages);
      throw err;
    } finally {
      clearTimeout(timer);
      for (const c of contexts) await c.close().catch(() => {});
    }
  });
}

// ---------------------------------------------------------------------------------------
// Waiting

/** Polls `fn` (sync or async) until it returns a truthy value, which is returned. */
export async function waitUntil(fn, { timeout = 20_000, interval = 100, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const detail = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${message}${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Waits for a page-side predicate, failing early with the page's recorded problems. */
export async function waitInPage(page, predicate, arg, { timeout = 20_000, message = 'condition' } = {}) {
  try {
    return await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  } catch (e) {
    const problems = page.problems?.length ? `\npage problems:\n  ${page.problems.join('\n  ')}` : '';
    throw new Error(`timed out after ${timeout} ms waiting for ${message}${problems}\n(${e.message.split('\n')[0]})`);
  }
}

export const CARD = '[data-testid=card]';

export function cardCount(page) {
  return page.locator(CARD).count();
}

/** Waits for at least `n` cards and returns the count. */
export async function waitForCards(page, n = 1, { timeout = 30_000 } = {}) {
  await waitInPage(page, (n) => document.querySelectorAll('[data-testid=card]').length >= n, n, {
    timeout,
    message: `${n} [data-testid=card]`,
  });
  return cardCount(page);
}

/**
 * Waits until the element matched by `selector` (inside `root`, default the document) has
 * loaded images: the source-image and edited-image elements are shown: an `img` complete
 * with naturalWidth > 0, or a card's thumbnail `canvas` that took its bitmap (data-shown).
 */
export async function waitForImages(page, rootSelector, { timeout = 30_000 } = {}) {
  await waitInPage(
    page,
    (sel) => {
      const root = document.querySelector(sel);
      if (!root) return false;
      const imgs = ['source-image', 'edited-image'].map((id) =>
        root.querySelector(`[data-testid=${id}]`),
      );
      return imgs.every((i) => i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0));
    },
    rootSelector,
    { timeout, message: `source and edited images loaded in ${rootSelector}` },
  );
}

/** Waits until the first card shows its instruction and both images. */
export async function waitForFirstCardLoaded(page, { timeout = 30_000 } = {}) {
  await waitForCards(page, 1, { timeout });
  await waitInPage(
    page,
    () => {
      const el = document.querySelector('[data-testid=card] [data-testid=instruction]');
      return el && el.textContent.trim().length > 0;
    },
    null,
    { timeout, message: 'instruction text in the first card' },
  );
  await waitForImages(page, CARD, { timeout });
}

/** Each card as { file, row, instruction } in document order. */
export function readCards(page) {
  return page.$$eval(CARD, (cards) =>
    cards.map((c) => ({
      file: c.getAttribute('data-file'),
      row: c.getAttribute('data-row'),
      instruction: (c.querySelector('[data-testid=instruction]')?.textContent ?? '').trim(),
    })),
  );
}

/** The first `n` cards as readCards gives them, once each has shown its instruction. */
export async function readLoadedCards(page, n, { timeout = 30_000 } = {}) {
  await waitInPage(
    page,
    (n) => {
      const cards = [...document.querySelectorAll('[data-testid=card]')].slice(0, n);
      return cards.length === n && cards.every((c) => (c.querySelector('[data-testid=instruction]')?.textContent ?? '').trim().length > 0);
    },
    n,
    { timeout, message: `the instructions of the first ${n} cards` },
  );
  return (await readCards(page)).slice(0, n);
}

/** Scrolls the last card (and the window) to the bottom, so that more rows come into view. */
export async function scrollToBottom(page) {
  await page.evaluate(() => {
    const cards = document.querySelectorAll('[data-testid=card]');
    cards[cards.length - 1]?.scrollIntoView({ block: 'end' });
    const el = document.scrollingElement || document.documentElement;
    window.scrollTo(0, el.scrollHeight);
  });
}

/** Adds the cards now in the DOM to `page.seenCards` (by file and row, first seen first). */
async function noteCards(page) {
  page.seen ??= new Map();
  const now = await readCards(page);
  const keys = now.map((c) => `${c.file}#${c.row}`);
  assert.equal(new Set(keys).size, keys.length, 'no card appears twice in the DOM');
  now.forEach((c, i) => {
    const had = page.seen.get(keys[i]);
    if (!had || (!had.instruction && c.instruction)) page.seen.set(keys[i], c);
  });
  page.seenCards = [...page.seen.values()];
  return page.seenCards;
}

/**
 * Scrolls to the bottom again and again until no new card appears: no new card within
 * `stallMs` after a scroll, twice in a row (once when `expected` cards were seen). The grid
 * keeps only the pages near the viewport in the DOM, so the cards are counted as they
 * pass: returns how many were seen, and leaves them in `page.seenCards`.
 */
export async function scrollUntilStable(page, { expected = Infinity, stallMs = 4_000, maxRounds = 2_000 } = {}) {
  page.seen = new Map();
  let count = (await noteCards(page)).length;
  let stalls = 0;
  for (let round = 0; round < maxRounds && stalls < (count >= expected ? 1 : 2); round++) {
    await scrollToBottom(page);
    try {
      await page.waitForFunction(
        (last) => {
          const cards = document.querySelectorAll('[data-testid=card]');
          const tail = cards[cards.length - 1];
          return tail && `${tail.getAttribute('data-file')}#${tail.getAttribute('data-row')}` !== last;
        },
        [...page.seen.keys()].pop(),
        { timeout: stallMs, polling: 100 },
      );
      stalls = 0;
    } catch {
      stalls += 1;
    }
    count = (await noteCards(page)).length;
  }
  return count;
}

/**
 * From the top of the grid down to its end, brings the cards into view screen by screen
 * until each has shown its instruction; returns every card as readCards does, in order.
 */
export async function loadAllInstructions(page, { timeout = 30_000 } = {}) {
  const deadline = Date.now() + timeout;
  page.seen = new Map();
  await page.evaluate(() => window.scrollTo(0, 0));
  for (;;) {
    await waitInPage(
      page,
      () => [...document.querySelectorAll('[data-testid=card]')]
        .filter((c) => { const r = c.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })
        .every((c) => (c.querySelector('[data-testid=instruction]')?.textContent ?? '').trim()),
      null,
      { timeout: Math.max(1, deadline - Date.now()), message: 'instructions of the cards in view' },
    );
    await noteCards(page);
    const atEnd = await page.evaluate(() => {
      const el = document.scrollingElement || document.documentElement;
      // The end of the grid: the bottom reached and no more pages coming.
      const more = /Loading more|Counting|Reading the scores|Searching/.test(document.querySelector('.sentinel')?.textContent ?? '')
        || document.querySelector('[data-testid=counting], [data-testid=scoring]');
      const end = el.scrollTop + innerHeight >= el.scrollHeight - 2 && !more;
      if (!end) window.scrollBy(0, innerHeight * 0.8);
      return end;
    });
    if (!atEnd) await page.waitForTimeout(50);
    if (atEnd) return page.seenCards;
    if (Date.now() > deadline) throw new Error('the grid did not show every instruction in time');
  }
}

/** Query parameters of the page's current URL. */
export function query(page) {
  return new URL(page.url()).searchParams;
}

/**
 * Parses a byte count as shown by the gallery, e.g. "1.2 MB fetched", "830 kB",
 * "12,345 bytes", "0 B". Returns bytes, or NaN when there is no number.
 */
export function parseBytes(text) {
  const m = /([0-9][0-9,]*(?:\.[0-9]+)?)\s*(bytes?|B|kB|KB|KiB|MB|MiB|GB|GiB)?\b/i.exec(text ?? '');
  if (!m) return NaN;
  const value = Number(m[1].replace(/,/g, ''));
  const unit = (m[2] || 'B').toLowerCase();
  const scale = {
    b: 1, byte: 1, bytes: 1,
    kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3,
  }[unit];
  return value * scale;
}

/** The number of bytes shown by [data-testid=bytes-fetched]. */
export async function bytesFetched(page) {
  const text = await page.locator('[data-testid=bytes-fetched]').first().textContent();
  return parseBytes(text);
}

/** bytesFetched once it has not changed for `quietMs` (reads still going have ended). */
export async function settledBytes(page, { quietMs = 750, timeout = 20_000 } = {}) {
  const end = Date.now() + timeout;
  let last = await bytesFetched(page);
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > end) throw new Error(`bytes fetched still changing after ${timeout} ms (${last})`);
    await new Promise((r) => setTimeout(r, 150));
    const now = await bytesFetched(page);
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

// ---------------------------------------------------------------------------------------
// Servers and data

/** The request log of a `gallery serve` origin: [{ method, path, range, status, body_bytes }]. */
export async function fetchRequests(origin) {
  const res = await fetch(`${origin}/__requests`);
  assert.equal(res.status, 200, `GET ${origin}/__requests`);
  return res.json();
}

export async function clearRequests(origin) {
  const res = await fetch(`${origin}/__requests/clear`, { method: 'POST' });
  assert.ok(res.ok, `POST ${origin}/__requests/clear answered ${res.status}`);
}

/** The built demo's manifest (dist/demo/manifest.json). */
export function demoManifest() {
  return JSON.parse(readFileSync(path.join(DIST_DIR, 'demo', 'manifest.json'), 'utf8'));
}

export function shardsOf(family) {
  return family.shards ?? [];
}

export function totalRows(manifest) {
  return manifest.families.flatMap(shardsOf).reduce((n, s) => n + s.rows, 0);
}

/** tests/fixtures/expected.json: { files: { name: { size, num_rows, rows: [...] } } }. */
export function expectedFixtures() {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'expected.json'), 'utf8'));
}

// ---------------------------------------------------------------------------------------
// Downloads

/** Every download the page starts until `count` have come, as { name, bytes }. */
export async function collectDownloads(page, count, start) {
  const seen = [];
  const done = new Promise((resolve) => {
    page.on('download', async (d) => {
      const path = await d.path();
      seen.push({ name: d.suggestedFilename(), bytes: readFileSync(path) });
      if (seen.length === count) resolve();
    });
  });
  await start();
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error(`${seen.length} of ${count} downloads`)), 15_000))]);
  return seen;
}
