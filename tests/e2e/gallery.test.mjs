// End-to-end tests of ScaleEdit Gallery in headless Chromium: browsing the bundled demo,
// infinite scrolling, the family filter, the sample view and its keys, permalinks, Parquet
// files from another origin, errors, and the bytes that reading a file costs.
//
// Contract with the app: elements carry data-testid `card` (with data-file, data-row),
// `sample-view`, `instruction`, `source-image`, `edited-image`, `error`, `bytes-fetched`
// and `family-filter` (a <select> of task names, "" = all); the URL carries `src`,
// `task`, `file` and `row`.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  bytesFetched,
  clearRequests,
  closeBrowser,
  demoManifest,
  e2eTest,
  expectedFixtures,
  fetchRequests,
  loadAllInstructions,
  query,
  readCards,
  scrollUntilStable,
  shardsOf,
  totalRows,
  urls,
  waitForCards,
  waitForFirstCardLoaded,
  waitForImages,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

const SAMPLE = '[data-testid=sample-view]';
const FILTER = '[data-testid=family-filter]';
const ERROR = '[data-testid=error]';

/** Families of the demo that hold rows, in manifest order. */
function demoFamilies() {
  return demoManifest().families.filter((f) => shardsOf(f).some((s) => s.rows > 0));
}

function familyRows(family) {
  return shardsOf(family).reduce((n, s) => n + s.rows, 0);
}

/** A family of the demo to filter by: one with rows, not the first (so filtering shows). */
function someFamily() {
  const families = demoFamilies();
  assert.ok(families.length >= 2, 'the demo has rows in at least two families');
  return families[1];
}

/** The (file, row) the URL opens, or nulls. */
function openSample(page) {
  const q = query(page);
  return { file: q.get('file'), row: q.get('row') };
}

async function sampleInstruction(page) {
  return (await page.locator(`${SAMPLE} [data-testid=instruction]`).first().textContent()).trim();
}

/** Waits for the sample view to show a sample whose instruction is non-empty. */
async function waitForSample(page) {
  await waitInPage(
    page,
    (sel) => {
      const view = document.querySelector(sel);
      const text = view?.querySelector('[data-testid=instruction]')?.textContent ?? '';
      return text.trim().length > 0;
    },
    SAMPLE,
    { message: 'the sample view with an instruction' },
  );
  await waitForImages(page, SAMPLE);
}

/** Waits until the URL opens a sample different from `previous` and returns it. */
async function waitForUrlSample(page, predicate, message) {
  return waitUntil(
    () => {
      const s = openSample(page);
      return s.file !== null && s.row !== null && predicate(s) ? s : null;
    },
    { message },
  );
}

/** Waits until the cards at `indices` show their instructions. */
async function waitForCardInstructions(page, indices) {
  await waitInPage(
    page,
    (indices) => {
      const cards = document.querySelectorAll('[data-testid=card]');
      return indices.every((i) => (cards[i]?.querySelector('[data-testid=instruction]')?.textContent ?? '').trim());
    },
    indices,
    { message: `instructions of cards ${indices.join(', ')}` },
  );
}

function fixtureUrl(name, origin = urls.data) {
  return `${origin}/${name}`;
}

// ---------------------------------------------------------------------------------------
// (1) The demo opens with cards, images and a byte count.

e2eTest('demo: cards show instructions and images, and the bytes fetched', async ({ page }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);

  const cards = await readCards(page);
  assert.ok(cards.length > 0);
  for (const c of cards) {
    assert.ok(c.file, 'every card has data-file');
    assert.match(c.row ?? '', /^\d+$/, 'every card has a numeric data-row');
  }
  const first = cards[0];
  assert.ok(first.instruction.length > 0, 'the first card shows its instruction');
  assert.ok(
    demoFamilies().some((f) => shardsOf(f).some((s) => first.file.endsWith(s.path))),
    `data-file ${first.file} names a shard of the demo's manifest`,
  );

  const bytes = await waitUntil(async () => {
    const n = await bytesFetched(page);
    return n > 0 ? n : null;
  }, { message: 'a non-zero count in [data-testid=bytes-fetched]' });
  assert.ok(bytes > 0);
});

// ---------------------------------------------------------------------------------------
// (2) Scrolling loads rows as they come into view, up to every row of the demo.

e2eTest('demo: scrolling to the bottom loads every row of the demo', async ({ page }) => {
  const manifest = demoManifest();
  const total = totalRows(manifest);
  assert.ok(total > 0, 'the demo has rows');

  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  const count = await scrollUntilStable(page, { expected: total });
  assert.equal(count, total, `cards after scrolling to the end (demo has ${total} rows)`);

  const cards = page.seenCards;
  const keys = new Set(cards.map((c) => `${c.file}#${c.row}`));
  assert.equal(keys.size, cards.length, 'each (data-file, data-row) appears once');
  for (const shard of manifest.families.flatMap(shardsOf)) {
    const rows = cards.filter((c) => c.file.endsWith(shard.path)).map((c) => Number(c.row));
    assert.equal(rows.length, shard.rows, `cards of ${shard.path}`);
    assert.deepEqual(
      [...rows].sort((a, b) => a - b),
      Array.from({ length: shard.rows }, (_, i) => i),
      `rows of ${shard.path} are 0..${shard.rows - 1}`,
    );
  }

  // The last rows load once they are in view.
  await waitInPage(
    page,
    () => {
      const cards = document.querySelectorAll('[data-testid=card]');
      const last = cards[cards.length - 1];
      return last && (last.querySelector('[data-testid=instruction]')?.textContent ?? '').trim();
    },
    null,
    { message: 'the instruction of the last card' },
  );
  await waitInPage(
    page,
    () => {
      const cards = document.querySelectorAll('[data-testid=card]');
      const last = cards[cards.length - 1];
      const imgs = ['source-image', 'edited-image'].map((id) =>
        last?.querySelector(`[data-testid=${id}]`),
      );
      return imgs.every((i) => i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0));
    },
    null,
    { message: 'the images of the last card' },
  );
});

// ---------------------------------------------------------------------------------------
// (3) The family filter.

e2eTest('demo: the family filter shows only that family and goes into the URL', async ({ page }) => {
  const family = someFamily();
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);

  const filter = page.locator(FILTER);
  const options = await filter.locator('option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes(''), 'the filter offers "" (all families)');
  for (const f of demoFamilies()) {
    assert.ok(options.includes(f.task), `the filter offers ${f.task}`);
  }
  assert.equal(await filter.inputValue(), '', 'no filter at first');

  await filter.selectOption(family.task);
  await waitUntil(() => query(page).get('task') === family.task, {
    message: `task=${family.task} in the URL`,
  });
  await waitInPage(
    page,
    (folder) => {
      const cards = [...document.querySelectorAll('[data-testid=card]')];
      return cards.length > 0 && cards.every((c) => (c.getAttribute('data-file') ?? '').includes(folder));
    },
    family.folder,
    { message: `only cards of ${family.folder}` },
  );
  const count = await scrollUntilStable(page, { expected: familyRows(family) });
  assert.equal(count, familyRows(family), `cards of ${family.task}`);
  for (const c of page.seenCards) {
    assert.ok(c.file.includes(family.folder), `card ${c.file}#${c.row} belongs to ${family.folder}`);
  }

  // Back to all families.
  await filter.selectOption('');
  await waitUntil(() => !query(page).has('task') || query(page).get('task') === '', {
    message: 'task to leave the URL',
  });
  await waitInPage(
    page,
    (folder) =>
      [...document.querySelectorAll('[data-testid=card]')].some(
        (c) => !(c.getAttribute('data-file') ?? '').includes(folder),
      ),
    family.folder,
    { message: 'cards of other families again' },
  );
});

// ---------------------------------------------------------------------------------------
// (4) The sample view and its keys.

e2eTest('demo: a card opens the sample view; arrows step through samples, Escape closes', async ({ page }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  await waitForCards(page, 3);
  await waitForCardInstructions(page, [1, 2]);
  const [, second, third] = await readCards(page);
  assert.equal(openSample(page).file, null, 'no sample open at first');

  await page.locator(CARD).nth(1).click();
  await waitForSample(page);
  const opened = await waitForUrlSample(page, () => true, 'file= and row= in the URL');
  assert.deepEqual(opened, { file: second.file, row: second.row }, 'the URL names the clicked card');
  if (second.instruction) {
    assert.equal(await sampleInstruction(page), second.instruction, 'the sample shows the card\'s instruction');
  }
  const firstText = await sampleInstruction(page);

  await page.keyboard.press('ArrowRight');
  const next = await waitForUrlSample(
    page,
    (s) => s.file !== opened.file || s.row !== opened.row,
    'ArrowRight to open another sample',
  );
  assert.deepEqual(next, { file: third.file, row: third.row }, 'ArrowRight opens the next card\'s sample');
  await waitForSample(page);
  if (third.instruction) {
    await waitUntil(async () => (await sampleInstruction(page)) === third.instruction, {
      message: 'the next sample\'s instruction',
    });
  }

  await page.keyboard.press('ArrowLeft');
  await waitForUrlSample(
    page,
    (s) => s.file === opened.file && s.row === opened.row,
    'ArrowLeft to go back to the first sample',
  );
  await waitForSample(page);
  await waitUntil(async () => (await sampleInstruction(page)) === firstText, {
    message: 'the first sample\'s instruction again',
  });

  await page.keyboard.press('Escape');
  await page.locator(SAMPLE).waitFor({ state: 'detached', timeout: 10_000 }).catch(async () => {
    await page.locator(SAMPLE).waitFor({ state: 'hidden', timeout: 1_000 });
  });
  await waitUntil(() => !query(page).has('file') && !query(page).has('row'), {
    message: 'file and row to leave the URL',
  });
  assert.ok((await page.locator(CARD).count()) > 0, 'the cards are still there');
});

// ---------------------------------------------------------------------------------------
// (5) Permalinks.

e2eTest('demo: a permalink brings back the filter and the open sample in a new session', async ({ page, newContext }) => {
  const family = someFamily();
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  await page.locator(FILTER).selectOption(family.task);
  await waitInPage(
    page,
    (folder) => {
      const cards = [...document.querySelectorAll('[data-testid=card]')];
      return cards.length > 0 && cards.every((c) => (c.getAttribute('data-file') ?? '').includes(folder));
    },
    family.folder,
    { message: `only cards of ${family.folder}` },
  );
  await page.locator(CARD).first().click();
  await waitForSample(page);
  const opened = await waitForUrlSample(page, () => true, 'file= and row= in the URL');
  const instruction = await sampleInstruction(page);
  const permalink = page.url();
  assert.equal(query(page).get('task'), family.task);

  const { page: fresh } = await newContext();
  await fresh.goto(permalink);
  await waitForSample(fresh);
  assert.equal(await sampleInstruction(fresh), instruction, 'the same sample');
  assert.deepEqual(openSample(fresh), opened, 'the same file and row in the URL');
  await waitUntil(async () => (await fresh.locator(FILTER).inputValue()) === family.task, {
    message: `the filter to show ${family.task} again`,
  });
  assert.equal(query(fresh).get('task'), family.task);
});

// ---------------------------------------------------------------------------------------
// (6) A Parquet file from another origin (CORS).

for (const name of ['pyarrow_default.parquet', 'pyarrow_page_index_plain.parquet']) {
  e2eTest(`src: ${name} from another origin shows all its rows`, async ({ page }) => {
    const expected = expectedFixtures().files[name];
    assert.ok(expected, `tests/fixtures/expected.json describes ${name}`);
    const src = fixtureUrl(name);

    await page.goto(appUrl({ src }));
    await waitForFirstCardLoaded(page);
    const count = await scrollUntilStable(page, { expected: expected.num_rows });
    assert.equal(count, expected.num_rows, 'one card per row');

    const cards = await loadAllInstructions(page);
    for (const c of cards) {
      assert.ok(c.file.endsWith(name), `data-file ${c.file} names ${name}`);
    }
    const byRow = [...cards].sort((a, b) => Number(a.row) - Number(b.row));
    assert.deepEqual(
      byRow.map((c) => Number(c.row)),
      expected.rows.map((_, i) => i),
      'rows 0..n-1',
    );
    assert.deepEqual(
      byRow.map((c) => c.instruction),
      expected.rows.map((r) => r.edit_instruction),
      'instructions in row order',
    );
    assert.ok((await bytesFetched(page)) > 0, 'a non-zero byte count');
  });
}

// ---------------------------------------------------------------------------------------
// (7) Sources that cannot be read show an error naming the file, and the app goes on.

const BAD_SOURCES = [
  {
    what: 'a missing file (404)',
    src: () => fixtureUrl('missing.parquet'),
    file: 'missing.parquet',
    says: [/\b404\b/],
  },
  {
    what: 'a file that is not Parquet',
    src: () => fixtureUrl('not_parquet.parquet'),
    file: 'not_parquet.parquet',
    says: [/not a parquet file/i],
  },
  {
    what: 'a Parquet file without the dataset\'s columns',
    src: () => fixtureUrl('wrong_columns.parquet'),
    file: 'wrong_columns.parquet',
    says: [/missing column/i, /edit_instruction/],
  },
  {
    what: 'a server that ignores Range',
    src: () => fixtureUrl('pyarrow_default.parquet', urls.norange),
    file: 'pyarrow_default.parquet',
    says: [/ignores range/i],
  },
];

for (const bad of BAD_SOURCES) {
  e2eTest(`error: ${bad.what} is reported and the app stays usable`, async ({ page }) => {
    await page.goto(appUrl({ src: bad.src() }));
    const error = page.locator(ERROR).first();
    await error.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await waitUntil(async () => (await error.textContent()).trim() || null, {
      message: 'text in [data-testid=error]',
    });
    assert.ok(text.includes(bad.file), `the error names ${bad.file}: "${text}"`);
    for (const re of bad.says) assert.match(text, re, `the error says ${re}`);
    assert.deepEqual(page.problems, [], 'no uncaught error or panic after the error');

    await page.goto(appUrl());
    await waitForFirstCardLoaded(page);
    assert.equal(await page.locator(ERROR).count(), 0, 'no error on the demo');
  });
}

// ---------------------------------------------------------------------------------------
// (8) Reading a file costs only ranges of it.

/** Size in bytes of a fixture, from expected.json (`files` or `layouts`). */
function fixtureSize(name) {
  const expected = expectedFixtures();
  const entry = expected.files?.[name] ?? expected.layouts?.[name];
  assert.ok(entry, `tests/fixtures/expected.json describes ${name}`);
  return entry.size;
}

// pyarrow_page_index_plain: one value per page, so the rows in view map to a few pages;
// pyarrow_many_images_per_page: 3000 rows in a real shard's page layout (1.3 MB).
for (const name of ['pyarrow_page_index_plain.parquet', 'pyarrow_many_images_per_page.parquet']) {
  e2eTest(`bytes: ${name} is read with Range requests only, and not whole`, async ({ page }) => {
    const size = fixtureSize(name);
    await clearRequests(urls.data);

    await page.goto(appUrl({ src: fixtureUrl(name) }));
    await waitForFirstCardLoaded(page);
    // Let the reads of the rows in view finish.
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
    await waitUntil(async () => (await bytesFetched(page)) > 0, { message: 'a non-zero byte count' });

    const log = await fetchRequests(urls.data);
    const reads = log.filter((r) => r.path.split('?')[0].endsWith('.parquet'));
    assert.ok(reads.length > 0, 'the data server saw requests for the file');
    for (const r of reads) {
      assert.ok(r.path.split('?')[0].endsWith(`/${name}`), `only ${name} was read: ${r.path}`);
      if (r.method === 'OPTIONS') {
        // A CORS preflight carries no body.
        assert.equal(r.body_bytes, 0, `preflight without body: ${JSON.stringify(r)}`);
        continue;
      }
      assert.equal(r.method, 'GET', `only GET: ${JSON.stringify(r)}`);
      assert.ok(r.range && /^bytes=/.test(r.range), `every GET has a Range header: ${JSON.stringify(r)}`);
      // 206 with the range, or 304 when the browser revalidates a range it has cached.
      assert.ok([206, 304].includes(r.status), `every GET is answered with 206 (or 304): ${JSON.stringify(r)}`);
    }
    const total = reads.reduce((n, r) => n + r.body_bytes, 0);
    assert.ok(total > 0, 'some bytes were read');
    assert.ok(
      total < size,
      `read ${total} bytes of a ${size}-byte file in ${reads.length} requests: ` +
        reads.map((r) => `${r.range} (${r.body_bytes})`).join(', '),
    );

    const app = await fetchRequests(urls.app);
    assert.ok(!app.some((r) => r.path.includes(name)), 'the app origin was not asked for the file');
  });
}
