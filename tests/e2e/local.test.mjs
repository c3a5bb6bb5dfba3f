// End-to-end tests of local Parquet files: picked with the file picker or dropped on the
// page, read in the worker by slices of the File (never whole), named in the link as
// `local:…`; the same link opened elsewhere asks for the files again.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after } from 'node:test';

import {
  DIST_DIR,
  FIXTURES_DIR,
  appUrl,
  settledBytes,
  closeBrowser,
  e2eTest,
  query,
  readCards,
  scrollUntilStable,
  waitForFirstCardLoaded,
  waitInPage,
} from './lib.mjs';

after(closeBrowser);

const ERROR = '[data-testid=error]';
const BIG = path.join(FIXTURES_DIR, 'pyarrow_many_images_per_page.parquet');

async function errorText(page) {
  await waitInPage(page, (sel) => document.querySelector(sel), ERROR, { message: 'an error message' });
  return (await page.locator(ERROR).first().textContent()).trim();
}

/** Drops `files` ([{ name, base64 }]) on the page as a user dragging them from a folder. */
async function drop(page, files) {
  await page.evaluate((files) => {
    const dt = new DataTransfer();
    for (const f of files) {
      const bytes = Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0));
      dt.items.add(new File([bytes], f.name));
    }
    const at = document.querySelector('main') ?? document.body;
    at.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    at.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, files);
}

e2eTest('a picked local file is read by slices, never whole, and the link says it is local', async ({ page }) => {
  await page.goto(appUrl());
  await waitForFirstCardLoaded(page);
  // The demo's other cards may still be loading: their bytes must not count below.
  const before = await settledBytes(page);
  await page.setInputFiles('[data-testid=file-picker]', BIG);
  await waitInPage(page, () => new URL(location.href).searchParams.get('src') === 'local:pyarrow_many_images_per_page.parquet', null, {
    message: 'src=local:…',
  });
  await waitForFirstCardLoaded(page);
  const cards = await readCards(page);
  assert.ok(cards.length >= 24);
  assert.ok(cards.every((c) => c.file === 'pyarrow_many_images_per_page.parquet'));
  // The first page of 24 pairs and the footer: a small part of the 1.3 MB file.
  const spent = (await settledBytes(page)) - before;
  const size = statSync(BIG).size;
  assert.ok(spent > 0 && spent < size / 2, `${spent} bytes of ${size} read for the first page`);
});

e2eTest('several local files open together, demo shards in their families; a dropped file opens too', async ({ page }) => {
  const shards = [
    path.join(DIST_DIR, 'demo', '1.2_tone_adjustment', 'tone_adjustment_0000.parquet'),
    path.join(DIST_DIR, 'demo', '1.1_style_transfer', 'style_transfer_0000.parquet'),
  ];
  await page.goto(appUrl());
  await page.setInputFiles('[data-testid=file-picker]', shards);
  await waitForFirstCardLoaded(page);
  assert.equal(query(page).get('src'), 'local:tone_adjustment_0000.parquet,style_transfer_0000.parquet');
  const options = await page.$$eval('[data-testid=family-filter] option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual(options, ['style_transfer', 'tone_adjustment'], 'families in catalog order');
  const count = await scrollUntilStable(page);
  const files = new Set(page.seenCards.map((c) => c.file));
  assert.deepEqual([...files], ['style_transfer_0000.parquet', 'tone_adjustment_0000.parquet']);
  assert.ok(count > 0);

  await drop(page, [{ name: 'pyarrow_default.parquet', base64: readFileSync(path.join(FIXTURES_DIR, 'pyarrow_default.parquet')).toString('base64') }]);
  await waitInPage(page, () => new URL(location.href).searchParams.get('src') === 'local:pyarrow_default.parquet', null, {
    message: 'the dropped file opened',
  });
  await waitForFirstCardLoaded(page);
  assert.equal((await readCards(page))[0].file, 'pyarrow_default.parquet');

  await drop(page, [{ name: 'notes.txt', base64: Buffer.from('hello').toString('base64') }]);
  await page.getByText('Only Parquet files (.parquet) can be opened.').waitFor({ timeout: 10_000 });
  assert.equal(query(page).get('src'), 'local:pyarrow_default.parquet', 'the open dataset stays');
});

e2eTest('a link to local files opened elsewhere asks for the files, and opens once they are picked', async ({ page }) => {
  await page.goto(appUrl({ src: 'local:pyarrow_default.parquet', file: 'pyarrow_default.parquet', row: '3' }));
  const text = await errorText(page);
  assert.match(text, /pyarrow_default\.parquet: this link names a file on the computer it was made on; pick the file again/);
  await page.setInputFiles('[data-testid=file-picker-again]', path.join(FIXTURES_DIR, 'pyarrow_default.parquet'));
  await waitForFirstCardLoaded(page);
  assert.equal(await page.locator(ERROR).count(), 0);
  // The rest of the link holds: the sample it names is open.
  await waitInPage(page, () => document.querySelector('[data-testid=sample-view] [data-testid=instruction]')?.textContent.trim(), null, {
    message: 'the sample the link names',
  });
  assert.equal(query(page).get('row'), '3');
});
