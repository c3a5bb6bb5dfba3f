// End-to-end tests of the sample view's comparison and review features in headless
// Chromium: the four comparison modes (side by side with shared zoom and pan, slider,
// flicker, difference heatmap), their URL state, every keyboard shortcut, the focus trap,
// flags (reload, filter, export), the pair download and the copied link.
//
// Data: tests/fixtures/compare_pairs.parquet (written by make_compare_fixture.py), served
// from DATA_URL. Its row 0 is a 512×384 PNG pair whose only change is a red rectangle over
// x 288..383, y 96..191: 9216 of 196608 pixels. Rows 1 and 2 carry the same edit at
// 1024×768 and at 384×384; row 3's edited image is not an image.
//
// Contract with the app (data-testid): mode-side, mode-slider, mode-flicker, mode-diff,
// compare (data-mode), zoom-level, slider-divider (role=slider, aria-valuenow),
// split-toggle, flicker-showing (data-showing), diff-fraction (data-fraction,
// data-threshold), diff-threshold, diff-heatmap, diff-resized, flag-button, flag-note,
// flag-count, flagged-filter, export-jsonl, export-csv, download-pair, copy-link, copied,
// shortcuts; the URL carries mode, split, thr and flagged.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  closeBrowser,
  collectDownloads,
  e2eTest,
  query,
  readCards,
  urls,
  waitForCards,
  waitForFirstCardLoaded,
  waitForImages,
  waitInPage,
  waitUntil,
} from './lib.mjs';

after(closeBrowser);

const SAMPLE = '[data-testid=sample-view]';
const COMPARE = '[data-testid=compare]';
const RECT = { x0: 288, x1: 384, y0: 96, y1: 192 };
const CHANGED = ((RECT.x1 - RECT.x0) * (RECT.y1 - RECT.y0)) / (512 * 384);
const ROW0 = { id: 2000001, task: 'object_addition', instruction: 'Add a red box, "bright", to the sky.' };

function dataFile() {
  return `${urls.data}/compare_pairs.parquet`;
}

/** Opens row `row` of the fixture in the sample view, with more URL parameters. */
async function openRow(page, row, params = {}) {
  const file = dataFile();
  await page.goto(appUrl({ src: file, file, row: String(row), ...params }));
  await waitInPage(page, (sel) => document.querySelector(sel), COMPARE, { message: 'the comparison area' });
}

async function mode(page) {
  return page.locator(COMPARE).getAttribute('data-mode');
}

/** The transforms of the sample view's zoom layers. */
function transforms(page) {
  return page.$$eval(`${SAMPLE} .layer`, (ls) => ls.map((l) => l.style.transform));
}

async function waitForMode(page, name) {
  await waitInPage(page, ({ sel, name }) => document.querySelector(sel)?.dataset.mode === name, { sel: COMPARE, name }, {
    message: `data-mode=${name}`,
  });
}

/** Waits for a difference answer at `threshold` and returns its fraction (a number). */
async function waitForFraction(page, threshold) {
  await waitInPage(
    page,
    (t) => {
      const el = document.querySelector('[data-testid=diff-fraction]');
      return el?.dataset.fraction !== undefined && el.dataset.threshold === String(t);
    },
    threshold,
    { message: `the difference at threshold ${threshold}` },
  );
  return Number(await page.locator('[data-testid=diff-fraction]').getAttribute('data-fraction'));
}

/**
 * Where the scene point (u, v) (shares of the image) of each <img> in `selectors` is on
 * screen, relative to its zoom box: object-fit: contain inside its transformed layer.
 */
function scenePoints(page, selectors, u, v) {
  return page.evaluate(
    ({ selectors, u, v }) =>
      selectors.map((sel) => {
        const img = document.querySelector(sel);
        const layer = img.closest('.layer').getBoundingClientRect();
        const box = img.closest('.zoom-box').getBoundingClientRect();
        const s = Math.min(layer.width / img.naturalWidth, layer.height / img.naturalHeight);
        const [w, h] = [img.naturalWidth * s, img.naturalHeight * s];
        const x = layer.left + (layer.width - w) / 2 + u * w;
        const y = layer.top + (layer.height - h) / 2 + v * h;
        return [x - box.left, y - box.top];
      }),
    { selectors, u, v },
  );
}

/** Parses RFC 4180 CSV. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\r') continue;
    else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; }
    else field += c;
  }
  return rows;
}

// ---------------------------------------------------------------------------------------
// Side by side

e2eTest('side by side: both images zoom and pan together and stay aligned; double-click resets', async ({ page }) => {
  // Row 1: the edited image is twice the source's size; the same scene point must sit at
  // the same place of both boxes at any zoom.
  await openRow(page, 1);
  await waitForImages(page, SAMPLE);
  assert.equal(await mode(page), 'side');
  const pair = [`${SAMPLE} [data-testid=source-image]`, `${SAMPLE} [data-testid=edited-image]`];

  const box = await page.locator(`${SAMPLE} .zoom-box`).first().boundingBox();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.35);
  await page.mouse.wheel(0, -400);
  await waitUntil(async () => (await transforms(page))[0] !== 'translate(0%, 0%) scale(1)', { message: 'a zoom' });
  let [a, b] = await transforms(page);
  assert.equal(a, b, 'one transform for both images');
  assert.ok(parseFloat(await page.locator('[data-testid=zoom-level]').textContent()) > 100);
  for (const [u, v] of [[0.6, 0.3], [0.1, 0.9]]) {
    const [p, q] = await scenePoints(page, pair, u, v);
    assert.ok(Math.abs(p[0] - q[0]) < 1 && Math.abs(p[1] - q[1]) < 1, `scene point (${u}, ${v}): ${p} vs ${q}`);
  }

  // Dragging the edited image pans both.
  const before = await transforms(page);
  const other = await page.locator(`${SAMPLE} .zoom-box`).nth(1).boundingBox();
  await page.mouse.move(other.x + 200, other.y + 200);
  await page.mouse.down();
  await page.mouse.move(other.x + 260, other.y + 240, { steps: 4 });
  await page.mouse.up();
  [a, b] = await transforms(page);
  assert.notEqual(a, before[0], 'the drag panned');
  assert.equal(a, b);
  const [p, q] = await scenePoints(page, pair, 0.5, 0.5);
  assert.ok(Math.abs(p[0] - q[0]) < 1 && Math.abs(p[1] - q[1]) < 1, `after the pan: ${p} vs ${q}`);

  // Two fingers spreading apart zoom in (pointer events as a touch screen sends them).
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.$eval(`${SAMPLE} .zoom-box`, (el) => {
    const r = el.getBoundingClientRect();
    const [cx, cy] = [r.left + r.width / 2, r.top + r.height / 2];
    const send = (type, id, x, y) =>
      el.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: 'touch', clientX: x, clientY: y, bubbles: true, isPrimary: id === 1 }));
    send('pointerdown', 1, cx - 20, cy);
    send('pointerdown', 2, cx + 20, cy);
    for (let d = 20; d <= 60; d += 10) {
      send('pointermove', 1, cx - d, cy);
      send('pointermove', 2, cx + d, cy);
    }
    send('pointerup', 1, cx - 60, cy);
    send('pointerup', 2, cx + 60, cy);
  });
  const pinched = parseFloat(await page.locator('[data-testid=zoom-level]').textContent());
  assert.ok(pinched >= 250 && pinched <= 350, `a pinch from 40 to 120 px apart zooms about 3×: ${pinched} %`);
  [a, b] = await transforms(page);
  assert.equal(a, b);

  // The buttons zoom too; a double-click fits again.
  await page.getByRole('button', { name: 'Zoom in' }).click();
  await page.mouse.dblclick(other.x + 100, other.y + 100);
  assert.deepEqual(await transforms(page), ['translate(0%, 0%) scale(1)', 'translate(0%, 0%) scale(1)']);
  assert.equal((await page.locator('[data-testid=zoom-level]').textContent()).trim(), '100 %');
});

// ---------------------------------------------------------------------------------------
// Slider

e2eTest('slider: the divider drags, moves by 5 % with ←/→ when focused, and turns vertical with split=v', async ({ page }) => {
  await openRow(page, 0);
  await waitForImages(page, SAMPLE);
  await page.locator('[data-testid=mode-slider]').click();
  await waitForMode(page, 'slider');
  assert.equal(query(page).get('mode'), 'slider');
  const divider = page.locator('[data-testid=slider-divider]');
  assert.equal(await divider.getAttribute('aria-valuenow'), '50');

  const area = await page.locator(`${SAMPLE} .slider .zoom-box`).boundingBox();
  const d = await divider.boundingBox();
  await page.mouse.move(d.x + d.width / 2, d.y + d.height / 2);
  await page.mouse.down();
  await page.mouse.move(area.x + area.width * 0.25, area.y + area.height / 2, { steps: 5 });
  await page.mouse.up();
  assert.equal(await divider.getAttribute('aria-valuenow'), '25');
  const clip = await page.$eval(`${SAMPLE} .slider .clip`, (el) => el.style.clipPath);
  const cut = /^inset\(0(?:px)? 0(?:px)? 0(?:px)? ([\d.]+)%\)$/.exec(clip);
  assert.ok(cut && Math.abs(Number(cut[1]) - 25) < 0.5, `the edited image is cut at the divider: ${clip}`);
  assert.deepEqual(await transforms(page), ['translate(0%, 0%) scale(1)', 'translate(0%, 0%) scale(1)'], 'dragging the divider does not pan');

  await divider.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await divider.getAttribute('aria-valuenow'), '35');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await divider.getAttribute('aria-valuenow'), '30');
  assert.equal(query(page).get('row'), '0', '←/→ on the divider do not step samples');

  await page.locator('[data-testid=split-toggle]').click();
  await waitUntil(() => query(page).get('split') === 'v', { message: 'split=v in the URL' });
  assert.equal(await divider.getAttribute('aria-orientation'), 'vertical');
  await page.reload();
  await waitForMode(page, 'slider');
  assert.equal(await page.locator('[data-testid=slider-divider]').getAttribute('aria-orientation'), 'vertical');
  assert.equal(query(page).get('split'), 'v');

  // Elsewhere, → steps to the next sample.
  await page.locator(`${SAMPLE} [data-testid=instruction]`).click();
  await page.keyboard.press('ArrowRight');
  await waitUntil(() => query(page).get('row') === '1', { message: '→ to open row 1' });
  assert.equal(query(page).get('mode'), 'slider', 'the mode stays while stepping');
});

// ---------------------------------------------------------------------------------------
// Flicker

e2eTest('flicker: holding Space or the mouse button shows the other image, zoom and pan kept', async ({ page }) => {
  await openRow(page, 0, { mode: 'flicker' });
  await waitForImages(page, SAMPLE);
  const showing = () => page.locator('[data-testid=flicker-showing]').getAttribute('data-showing');
  const visible = () =>
    page.$$eval(`${SAMPLE} img[data-testid$=-image]`, (imgs) =>
      imgs.filter((i) => getComputedStyle(i).visibility === 'visible').map((i) => i.dataset.testid),
    );
  assert.equal(await showing(), 'edited');
  assert.deepEqual(await visible(), ['edited-image']);

  await page.keyboard.press('+');
  await page.keyboard.press('+');
  const zoomed = await transforms(page);
  assert.notEqual(zoomed[0], 'translate(0%, 0%) scale(1)');

  await page.keyboard.down(' ');
  await waitUntil(async () => (await showing()) === 'source', { message: 'Space held: the source' });
  assert.deepEqual(await visible(), ['source-image']);
  assert.deepEqual(await transforms(page), zoomed, 'the zoom is kept while flipping');
  await page.keyboard.up(' ');
  await waitUntil(async () => (await showing()) === 'edited', { message: 'Space let go: the edited image' });

  const box = await page.locator(`${SAMPLE} .flicker`).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await waitUntil(async () => (await showing()) === 'source', { message: 'mouse held: the source' });
  await page.mouse.up();
  await waitUntil(async () => (await showing()) === 'edited', { message: 'mouse up: the edited image' });
  assert.deepEqual(await transforms(page), zoomed);
});

// ---------------------------------------------------------------------------------------
// Difference

e2eTest('difference: the heatmap marks exactly the changed rectangle and the share is reported', async ({ page }) => {
  const started = Date.now();
  await openRow(page, 0, { mode: 'diff' });
  const fraction = await waitForFraction(page, 24);
  console.log(`# difference of a 512×384 pair shown ${Date.now() - started} ms after navigation`);
  assert.ok(Math.abs(fraction - CHANGED) < 1e-9, `fraction ${fraction}, expected ${CHANGED}`);
  const text = await page.locator('[data-testid=diff-fraction]').textContent();
  assert.match(text, /^\d+(\.\d+)? %$/, text);
  assert.equal(parseFloat(text), Number((CHANGED * 100).toFixed(2)));
  assert.equal(await page.locator('[data-testid=diff-resized]').count(), 0, 'same size: no resize notice');

  // The heatmap is the source's size, opaque inside the rectangle and clear elsewhere.
  await waitInPage(page, () => document.querySelector('[data-testid=diff-heatmap]')?.naturalWidth > 0, null, {
    message: 'the heatmap image',
  });
  const map = await page.$eval('[data-testid=diff-heatmap]', (img, r) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const { data } = g.getImageData(0, 0, c.width, c.height);
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        if (data[(y * c.width + x) * 4 + 3] === 0) continue;
        if (x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1) inside++;
        else outside++;
      }
    }
    return { width: c.width, height: c.height, inside, outside };
  }, RECT);
  assert.deepEqual(map, { width: 512, height: 384, inside: 96 * 96, outside: 0 });

  // A threshold above the rectangle's change marks nothing; it goes into the URL.
  await page.locator('[data-testid=diff-threshold]').fill('200');
  assert.equal(await waitForFraction(page, 200), 0);
  assert.equal(await page.locator('[data-testid=diff-fraction]').textContent(), '0.00 %');
  await waitUntil(() => query(page).get('thr') === '200', { message: 'thr=200 in the URL' });
  await page.reload();
  assert.equal(await waitForFraction(page, 200), 0);
  assert.equal(await page.locator('[data-testid=diff-threshold]').inputValue(), '200');
});

e2eTest('difference: an edited image of another size is resized and said so; a broken one is an error naming file and row', async ({ page }) => {
  await openRow(page, 1, { mode: 'diff' });
  const f = await waitForFraction(page, 24);
  assert.ok(Math.abs(f - CHANGED) < 0.01, `resized: ${f}`);
  assert.match(await page.locator('[data-testid=diff-resized]').textContent(), /resized to the source's 512×384/);

  await page.keyboard.press('j');
  await waitUntil(() => query(page).get('row') === '2', { message: 'j to row 2' });
  const g = await waitForFraction(page, 24);
  assert.ok(g > 0 && g < 1, `another aspect: ${g}`);
  assert.equal(await page.locator('[data-testid=diff-resized]').count(), 1);

  await page.keyboard.press('j');
  await waitUntil(() => query(page).get('row') === '3', { message: 'j to row 3' });
  const error = page.locator(`${SAMPLE} [data-testid=error]`);
  await error.waitFor({ timeout: 20_000 });
  const message = await error.textContent();
  assert.ok(message.includes('compare_pairs.parquet') && message.includes('row 3') && message.includes('edited image'), message);
  // The view stays usable.
  await page.keyboard.press('1');
  await waitForMode(page, 'side');
});

// ---------------------------------------------------------------------------------------
// Keys and URL

e2eTest('keys: every shortcut of the ? list does what it says', async ({ page }) => {
  await openRow(page, 1);
  await waitForImages(page, SAMPLE);

  // 1–4 switch modes, and the URL follows.
  for (const [key, name] of [['2', 'slider'], ['3', 'flicker'], ['4', 'diff'], ['1', 'side']]) {
    await page.keyboard.press(key);
    await waitForMode(page, name);
    assert.equal(query(page).get('mode'), name === 'side' ? null : name, `key ${key}`);
  }
  // +, =, -, 0 zoom.
  const level = async () => parseFloat(await page.locator('[data-testid=zoom-level]').textContent());
  await page.keyboard.press('+');
  assert.equal(await level(), 125);
  await page.keyboard.press('=');
  assert.equal(await level(), 156);
  await page.keyboard.press('-');
  assert.equal(await level(), 125);
  await page.keyboard.press('0');
  assert.equal(await level(), 100);
  // j, k, →, ← step.
  for (const [key, row] of [['j', '2'], ['k', '1'], ['ArrowRight', '2'], ['ArrowLeft', '1']]) {
    await page.keyboard.press(key);
    await waitUntil(() => query(page).get('row') === row, { message: `${key} to row ${row}` });
  }
  // f flags and unflags.
  const flag = page.locator(`${SAMPLE} [data-testid=flag-button]`);
  await page.keyboard.press('f');
  assert.equal(await flag.getAttribute('aria-pressed'), 'true');
  await page.keyboard.press('f');
  assert.equal(await flag.getAttribute('aria-pressed'), 'false');
  // ? lists the shortcuts, with every action named; Esc closes the list first.
  await page.keyboard.press('?');
  const list = page.locator('[data-testid=shortcuts]');
  await list.waitFor();
  const listed = await list.textContent();
  for (const what of ['Next sample', 'Previous sample', 'Side by side', 'Slider', 'Flicker', 'Difference', 'Zoom in', 'Zoom out', 'Reset zoom', 'Flag', 'Close', 'Space', 'Esc']) {
    assert.ok(listed.includes(what), `the list names ${what}`);
  }
  await page.keyboard.press('j');
  assert.equal(query(page).get('row'), '1', 'keys do not reach the sample behind the list');
  await page.keyboard.press('Escape');
  await list.waitFor({ state: 'detached' });
  assert.equal(await page.locator(SAMPLE).count(), 1, 'Esc closed only the list');
  // Esc closes the sample view.
  await page.keyboard.press('Escape');
  await page.locator(SAMPLE).waitFor({ state: 'detached' });
  assert.equal(query(page).get('row'), null);
});

e2eTest('focus: Tab stays in the sample view and closing returns focus to the card it was opened from', async ({ page }) => {
  const file = dataFile();
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  await waitForCards(page, 4);
  await page.locator(CARD).nth(2).focus();
  await page.keyboard.press('Enter');
  await page.locator(SAMPLE).waitFor();
  await waitUntil(() => query(page).get('row') === '2', { message: 'Enter opens the focused card' });
  const inside = () => page.evaluate((sel) => !!document.activeElement?.closest(sel), SAMPLE);
  await waitUntil(inside, { message: 'focus inside the sample view' });
  const seen = new Set();
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press(i % 7 === 6 ? 'Shift+Tab' : 'Tab');
    assert.ok(await inside(), `focus left the sample view after ${i + 1} Tabs`);
    seen.add(await page.evaluate(() => document.activeElement.outerHTML.slice(0, 60)));
  }
  assert.ok(seen.size >= 5, `Tab visits the controls (${seen.size})`);

  // The ? list traps Tab too, and gives focus back when closed.
  await page.keyboard.press('?');
  await page.locator('[data-testid=shortcuts]').waitFor();
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => !!document.activeElement?.closest('[data-testid=shortcuts]')));
  }
  await page.keyboard.press('Escape');
  await waitUntil(inside, { message: 'focus back in the sample view' });

  // Step away and back, then close: focus is on the card it was opened from.
  await page.locator(`${SAMPLE} [data-testid=instruction]`).click();
  await page.keyboard.press('j');
  await waitUntil(() => query(page).get('row') === '3', { message: 'j' });
  await page.keyboard.press('Escape');
  await page.locator(SAMPLE).waitFor({ state: 'detached' });
  await waitUntil(
    () => page.evaluate(() => document.activeElement?.dataset.testid === 'card' && document.activeElement.dataset.row === '2'),
    { message: 'focus on card 2' },
  );
});

e2eTest('url: mode, split and threshold come back from a link in a new session', async ({ page, newContext }) => {
  await openRow(page, 0, { mode: 'diff', thr: '40' });
  assert.equal(await waitForFraction(page, 40), CHANGED);
  const link = page.url();
  const { page: other } = await newContext();
  await other.goto(link);
  await waitForMode(other, 'diff');
  assert.equal(await waitForFraction(other, 40), CHANGED);
  assert.equal(await other.locator('[data-testid=diff-threshold]').inputValue(), '40');
  // Switching back to the default drops it from the URL.
  await other.keyboard.press('1');
  await waitForMode(other, 'side');
  await waitUntil(() => !query(other).has('mode'), { message: 'no mode= for the default' });
  assert.equal(query(other).get('thr'), '40', 'the threshold stays for later');
});

// ---------------------------------------------------------------------------------------
// Flags and export

e2eTest('flags: from a card and from the sample view with a note; kept over a reload; the flagged filter; JSONL and CSV', async ({ page }) => {
  const file = dataFile();
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  await waitForCards(page, 4);

  // A card's flag button flags without opening.
  const card2 = page.locator(CARD).nth(2);
  await card2.hover();
  await card2.locator('[data-testid=flag-button]').click();
  assert.equal(await card2.locator('[data-testid=flag-button]').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator(SAMPLE).count(), 0, 'flagging did not open the sample');
  assert.equal(query(page).get('row'), null);

  // The sample view: f, then a note.
  await page.locator(CARD).nth(0).click();
  await page.locator(SAMPLE).waitFor();
  await page.keyboard.press('f');
  const note = page.locator('[data-testid=flag-note]');
  await note.fill('box, "too red", too big');
  await page.keyboard.press('Escape');
  assert.equal(await page.locator(SAMPLE).count(), 1, 'the first Esc leaves the note field');
  await page.keyboard.press('Escape');
  await page.locator(SAMPLE).waitFor({ state: 'detached' });

  await page.reload();
  await waitForCards(page, 4);
  await waitUntil(async () => (await page.locator('[data-testid=flag-count]').textContent()).trim() === '2', {
    message: '2 flags after the reload',
  });
  const pressed = await page.$$eval(`${CARD} [data-testid=flag-button]`, (bs) => bs.map((b) => b.getAttribute('aria-pressed')));
  assert.deepEqual(pressed, ['true', 'false', 'true', 'false']);

  // Only flagged samples, in the URL; stepping stays among them.
  await page.locator('[data-testid=flagged-filter]').check();
  await waitUntil(() => query(page).get('flagged') === '1', { message: 'flagged=1' });
  await waitUntil(async () => (await page.locator(CARD).count()) === 2, { message: 'two flagged cards' });
  assert.deepEqual((await readCards(page)).map((c) => c.row), ['0', '2']);
  await page.locator(CARD).nth(0).click();
  await page.locator(SAMPLE).waitFor();
  assert.equal(await page.locator('[data-testid=flag-note]').inputValue(), 'box, "too red", too big');
  await page.keyboard.press('j');
  await waitUntil(() => query(page).get('row') === '2', { message: 'j skips to the next flagged sample' });
  await page.keyboard.press('Escape');
  await page.reload();
  await waitUntil(async () => (await page.locator(CARD).count()) === 2, { message: 'the filter survives a reload' });

  // Exports.
  const [jsonl] = await collectDownloads(page, 1, () => page.locator('[data-testid=export-jsonl]').click());
  assert.match(jsonl.name, /\.jsonl$/);
  const lines = jsonl.bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[0], { ...ROW0, file, row: 0, note: 'box, "too red", too big' });
  assert.equal(lines[1].row, 2);
  assert.equal(lines[1].id, 2000003);
  assert.equal(lines[1].note, '');

  const [csv] = await collectDownloads(page, 1, () => page.locator('[data-testid=export-csv]').click());
  assert.match(csv.name, /\.csv$/);
  const text = csv.bytes.toString('utf8');
  assert.ok(text.includes('"Add a red box, ""bright"", to the sky."'), text);
  const rows = parseCsv(text);
  assert.deepEqual(rows[0], ['id', 'file', 'row', 'task', 'instruction', 'note']);
  assert.deepEqual(rows[1], ['2000001', file, '0', ROW0.task, ROW0.instruction, 'box, "too red", too big']);
  assert.equal(rows[2][0], '2000003');
  assert.equal(rows.length, 3);

  // Flags belong to their dataset.
  await page.goto(appUrl({ src: `${urls.data}/pyarrow_default.parquet` }));
  await waitForCards(page, 1);
  assert.equal((await page.locator('[data-testid=flag-count]').textContent()).trim(), '0');
});

// ---------------------------------------------------------------------------------------
// Download and link

e2eTest('pair: download gives both images with their original bytes and the row as JSON; copy link copies the address', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: urls.app });
  await openRow(page, 0);
  await waitForImages(page, SAMPLE);
  const shown = await page.evaluate(async (sel) => {
    const out = {};
    for (const id of ['source-image', 'edited-image']) {
      const img = document.querySelector(`${sel} [data-testid=${id}]`);
      const buf = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
      out[id] = Array.from(buf);
    }
    return out;
  }, SAMPLE);

  const files = await collectDownloads(page, 3, () => page.locator('[data-testid=download-pair]').click());
  const byName = Object.fromEntries(files.map((f) => [f.name, f.bytes]));
  assert.deepEqual(Object.keys(byName).sort(), ['2000001.json', '2000001_edited.png', '2000001_source.png']);
  assert.deepEqual(Array.from(byName['2000001_source.png']), shown['source-image']);
  assert.deepEqual(Array.from(byName['2000001_edited.png']), shown['edited-image']);
  assert.notDeepEqual(shown['source-image'], shown['edited-image']);
  const json = JSON.parse(byName['2000001.json'].toString('utf8'));
  assert.equal(json.id, ROW0.id);
  assert.equal(json.row, 0);
  assert.equal(json.instruction, ROW0.instruction);
  assert.equal(json.file, dataFile());
  assert.deepEqual(json.source_size, [512, 384]);

  await page.keyboard.press('2');
  await waitForMode(page, 'slider');
  await page.locator('[data-testid=copy-link]').click();
  await page.locator('[data-testid=copied]').waitFor();
  assert.equal((await page.locator('[data-testid=copied]').textContent()).trim(), 'Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, page.url());
  assert.equal(new URL(copied).searchParams.get('mode'), 'slider');
});
