// End-to-end tests of accessibility and of the colour theme, in headless Chromium.
//
// Accessibility is read from the browser's own accessibility tree (CDP
// Accessibility.getPartialAXTree: the role, name and states a screen reader gets) and
// from the DOM: the grid's cards are reached with Tab and named; the sample view is a
// labelled modal dialog that takes focus and gives it back to its card; in each
// comparison mode every button and input has a name, the pictures say which is the
// source and which the edited one, and the mode switcher says which mode is on; nothing
// has a positive tabindex. Text has a contrast of at least 4.5:1 on its background in the
// light and the dark theme (WCAG 2 relative luminance, from computed styles).
//
// The theme: a button in the top bar (data-testid=theme-toggle) cycles auto → light →
// dark, sets data-theme on <html>, keeps the choice in localStorage (gallery.theme), and
// without a choice the page follows the system's prefers-color-scheme.
//
// Data: tests/fixtures/compare_pairs.parquet from DATA_URL (see compare.test.mjs); its
// row 3's edited image is not an image, which gives an error message to look at.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  assertNoProblems,
  closeBrowser,
  e2eTest,
  getBrowser,
  newPage,
  query,
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
const TOGGLE = '[data-testid=theme-toggle]';
const MODES = [['1', 'side'], ['2', 'slider'], ['3', 'flicker'], ['4', 'diff']];

function dataFile() {
  return `${urls.data}/compare_pairs.parquet`;
}

async function waitForMode(page, name) {
  await waitInPage(page, ({ sel, name }) => document.querySelector(sel)?.dataset.mode === name, { sel: COMPARE, name }, {
    message: `data-mode=${name}`,
  });
}

// ---------------------------------------------------------------------------------------
// The accessibility tree

/**
 * The accessibility node of each element matching `selector` (in document order) as
 * { role, name, props, html }: what Chromium hands to a screen reader. `props` holds the
 * node's properties (focusable, pressed, modal, …) by name; `html` starts the element's
 * markup, for messages.
 */
async function axNodes(page, selector) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('DOM.enable');
    await cdp.send('Accessibility.enable');
    const { root } = await cdp.send('DOM.getDocument', { depth: 0 });
    const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector });
    const out = [];
    for (const nodeId of nodeIds) {
      const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
      const node = nodes.find((n) => !n.ignored) ?? nodes[0];
      const props = Object.fromEntries((node.properties ?? []).map((p) => [p.name, p.value.value]));
      const { outerHTML } = await cdp.send('DOM.getOuterHTML', { nodeId });
      out.push({
        role: node.role?.value,
        name: (node.name?.value ?? '').trim(),
        ignored: !!node.ignored,
        props,
        html: outerHTML.slice(0, 120),
      });
    }
    return out;
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Fails unless every control matched by `selector` that is exposed has a name. */
async function assertNamed(page, selector, where) {
  const nodes = (await axNodes(page, selector)).filter((n) => !n.ignored);
  assert.ok(nodes.length > 0, `${where}: controls found`);
  const unnamed = nodes.filter((n) => !n.name);
  assert.deepEqual(unnamed.map((n) => n.html), [], `${where}: controls without an accessible name`);
  return nodes;
}

const CONTROLS = 'button, input, select, textarea, [role=slider], [role=button], [role=tab], a[href]';

async function assertNoPositiveTabindex(page, when) {
  const positive = await page.$$eval('[tabindex]', (els) =>
    els.filter((e) => Number(e.getAttribute('tabindex')) > 0).map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(positive, [], `no positive tabindex ${when}`);
}

// ---------------------------------------------------------------------------------------
// Colours

/**
 * The contrast ratio (WCAG 2) of the text of the first element matching `selector`
 * against what is behind it: its own and its ancestors' backgrounds, composited, down to
 * the first opaque one. Colours are read through a canvas, so any CSS colour syntax works.
 */
function contrastOf(page, selector) {
  return page.$eval(selector, (el) => {
    const g = document.createElement('canvas').getContext('2d', { willReadFrequently: true });
    const rgba = (css) => {
      g.clearRect(0, 0, 1, 1);
      g.fillStyle = '#000';
      g.fillStyle = css;
      g.fillRect(0, 0, 1, 1);
      const [r, gr, b, a] = g.getImageData(0, 0, 1, 1).data;
      return [r, gr, b, a / 255];
    };
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const bg = rgba(getComputedStyle(e).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let back = [255, 255, 255];
    for (const [r, gr, b, a] of layers.reverse()) {
      back = [r * a + back[0] * (1 - a), gr * a + back[1] * (1 - a), b * a + back[2] * (1 - a)];
    }
    const fg = rgba(getComputedStyle(el).color);
    const front = back.map((c, i) => [fg[0], fg[1], fg[2]][i] * fg[3] + c * (1 - fg[3]));
    const lum = (rgb) => {
      const [r, gr, b] = rgb.map((v) => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * gr + 0.0722 * b;
    };
    const [hi, lo] = [lum(front), lum(back)].sort((a, b) => b - a);
    return { ratio: (hi + 0.05) / (lo + 0.05), text: fg, background: back.map(Math.round), backgroundLuminance: lum(back) };
  }, selector);
}

/** The luminance (0 black … 1 white) of the page's background. */
async function pageLuminance(page) {
  await page.waitForSelector('body');
  return (await contrastOf(page, 'body')).backgroundLuminance;
}

async function assertContrast(page, selector, what, min = 4.5) {
  const c = await contrastOf(page, selector);
  assert.ok(c.ratio >= min, `${what} (${selector}): contrast ${c.ratio.toFixed(2)} < ${min} (text ${c.text}, background ${c.background})`);
  return c.ratio;
}

/** Clicks the theme button until <html data-theme> is `theme`. */
async function chooseTheme(page, theme) {
  const toggle = page.locator(TOGGLE);
  for (let i = 0; i < 3 && (await page.getAttribute('html', 'data-theme')) !== theme; i++) await toggle.click();
  assert.equal(await page.getAttribute('html', 'data-theme'), theme);
}

// ---------------------------------------------------------------------------------------
// Tests

e2eTest('a11y: cards are reached with Tab and named; the sample view is a labelled modal dialog with named controls in every mode; focus goes in and comes back', async ({ page }) => {
  await page.goto(appUrl({ src: dataFile() }));
  await waitForFirstCardLoaded(page);
  await waitForCards(page, 4);
  await waitUntil(() => page.$$eval(`${CARD} [data-testid=instruction]`, (ps) => ps.every((p) => p.textContent.trim())), {
    message: 'every card shows its instruction',
  });

  // The top bar and the grid: every control is named; every card is a named stop of Tab.
  await assertNamed(page, CONTROLS, 'the page');
  const cards = await axNodes(page, CARD);
  const instructions = await page.$$eval(`${CARD} [data-testid=instruction]`, (ps) => ps.map((p) => p.textContent.trim()));
  assert.equal(cards.length, instructions.length);
  cards.forEach((card, i) => {
    assert.equal(card.props.focusable, true, `card ${i} is focusable`);
    assert.ok(card.name.includes(instructions[i]), `card ${i} is named by its instruction: "${card.name}"`);
  });
  for (const img of await axNodes(page, `${CARD} img`)) {
    assert.match(img.name, /source|edited/i, `a thumbnail says which it is: ${img.html}`);
  }
  await assertNoPositiveTabindex(page, 'on the grid');

  let tabs = 0;
  const onCard = () => page.evaluate(() => document.activeElement?.dataset.testid === 'card');
  while (!(await onCard())) {
    assert.ok(++tabs <= 40, 'a card is reached within 40 Tabs');
    await page.keyboard.press('Tab');
  }
  const first = await page.evaluate(() => document.activeElement.dataset.row);
  await page.keyboard.press('Tab'); // the card's flag button
  await page.keyboard.press('Tab');
  const second = await page.evaluate(() => ({ testid: document.activeElement.dataset.testid, row: document.activeElement.dataset.row }));
  assert.equal(second.testid, 'card', 'Tab goes on from card to card (through its flag button)');
  assert.notEqual(second.row, first);

  // Enter opens the focused card in a modal dialog named for what it shows, and focus
  // moves into it.
  await page.keyboard.press('Enter');
  await page.locator(SAMPLE).waitFor();
  await waitUntil(() => query(page).get('row') === second.row, { message: `row ${second.row} opened` });
  const [dialog] = await axNodes(page, SAMPLE);
  assert.equal(dialog.role, 'dialog');
  assert.equal(dialog.props.modal, true, 'aria-modal');
  assert.ok(dialog.name, 'the dialog has a name');
  assert.equal(await page.getAttribute(SAMPLE, 'aria-modal'), 'true');
  await waitUntil(() => page.evaluate((sel) => !!document.activeElement?.closest(sel), SAMPLE), {
    message: 'focus inside the dialog',
  });
  await waitForImages(page, SAMPLE);

  // Each mode: named controls, pictures that say what they are, the switcher's state.
  for (const [key, name] of MODES) {
    await page.keyboard.press(key);
    await waitForMode(page, name);
    await waitInPage(
      page,
      (sel) => [...document.querySelectorAll(`${sel} img`)].every((i) => i.complete && i.getAttribute('src')),
      SAMPLE,
      { message: `pictures of ${name}` },
    );
    await assertNamed(page, CONTROLS.split(', ').map((c) => `${SAMPLE} ${c}`).join(', '), `mode ${name}`);
    const imgs = await axNodes(page, `${SAMPLE} img`);
    const byId = await page.$$eval(`${SAMPLE} img`, (is) => is.map((i) => i.dataset.testid));
    const alts = await page.$$eval(`${SAMPLE} img`, (is) => is.map((i) => i.getAttribute('alt') ?? ''));
    byId.forEach((id, i) => {
      // A picture hidden for the moment (flicker's other one) is out of the tree: its alt.
      if (imgs[i].ignored) imgs[i].name = alts[i].trim();
      assert.ok(imgs[i].name, `mode ${name}: ${id} has alt text`);
      if (id === 'source-image') assert.match(imgs[i].name, /source/i, `mode ${name}: the source says so`);
      if (id === 'edited-image') assert.match(imgs[i].name, /edited/i, `mode ${name}: the edited image says so`);
      if (id === 'diff-heatmap') assert.match(imgs[i].name, /change|difference|heatmap/i, `mode ${name}: the heatmap says so`);
    });
    if (name === 'diff') assert.ok(byId.includes('diff-heatmap'), 'the difference shows a heatmap');
    else assert.ok(byId.includes('source-image') && byId.includes('edited-image'), `mode ${name} shows both pictures`);

    const switcher = await axNodes(page, '[data-testid^=mode-]');
    assert.equal(switcher.length, 4);
    const on = switcher.filter((b) => b.props.pressed === true || b.props.pressed === 'true' || b.props.selected === true);
    assert.equal(on.length, 1, `mode ${name}: one mode is pressed (${JSON.stringify(switcher.map((b) => b.props))})`);
    const pressed = await page.$$eval('[data-testid^=mode-]', (bs) =>
      bs.filter((b) => b.getAttribute('aria-pressed') === 'true' || b.getAttribute('aria-selected') === 'true').map((b) => b.dataset.testid),
    );
    assert.deepEqual(pressed, [`mode-${name}`]);
    await assertNoPositiveTabindex(page, `in mode ${name}`);
  }

  // Esc closes, and focus is back on the card.
  await page.keyboard.press('Escape');
  await page.locator(SAMPLE).waitFor({ state: 'detached' });
  await waitUntil(
    () => page.evaluate((row) => document.activeElement?.dataset.testid === 'card' && document.activeElement.dataset.row === row, second.row),
    { message: `focus back on card ${second.row}` },
  );
});

e2eTest('a11y: text keeps a contrast of 4.5:1 in the light and the dark theme (page, cards, dialog, chosen mode, errors, token form)', async ({ page }) => {
  const file = dataFile();
  await page.goto(appUrl({ src: file }));
  await waitForFirstCardLoaded(page);
  for (const theme of ['light', 'dark']) {
    await chooseTheme(page, theme);
    const lum = await pageLuminance(page);
    if (theme === 'dark') assert.ok(lum < 0.05, `dark: the page is dark (luminance ${lum})`);
    else assert.ok(lum > 0.8, `light: the page is light (luminance ${lum})`);
    const ratios = {
      body: await assertContrast(page, 'body', `${theme}: body text`),
      instruction: await assertContrast(page, `${CARD} [data-testid=instruction]`, `${theme}: a card's instruction`),
      task: await assertContrast(page, `${CARD} .task`, `${theme}: a card's task`),
      fetched: await assertContrast(page, '[data-testid=bytes-fetched]', `${theme}: muted text in the top bar`),
    };
    await page.locator('[data-testid=hub-token-toggle]').click();
    await page.locator('[data-testid=hub-token-form]').waitFor();
    ratios.token = await assertContrast(page, '.token-form label span', `${theme}: the token form's label`);
    ratios.tokenNote = await assertContrast(page, '.token-form .token-note', `${theme}: the token form's note`);
    await page.locator('[data-testid=hub-token-toggle]').click();

    // The sample view, its chosen mode, and an error (row 3's edited image is broken: the
    // difference says so).
    await page.goto(appUrl({ src: file, file, row: '3', mode: 'diff' }));
    await page.locator(`${SAMPLE} [data-testid=error]`).waitFor({ timeout: 20_000 });
    assert.equal(await page.getAttribute('html', 'data-theme'), theme, 'the theme stays');
    ratios.dialog = await assertContrast(page, `${SAMPLE} [data-testid=instruction]`, `${theme}: the dialog's text`);
    ratios.mode = await assertContrast(page, `${SAMPLE} [aria-pressed=true][data-testid^=mode-]`, `${theme}: the chosen mode`);
    ratios.error = await assertContrast(page, `${SAMPLE} [data-testid=error]`, `${theme}: an error`);
    console.log(`# ${theme}: ${Object.entries(ratios).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')}`);
    await page.keyboard.press('Escape');
    await page.locator(SAMPLE).waitFor({ state: 'detached' });
    await waitForFirstCardLoaded(page);
  }
});

e2eTest('theme: the toggle cycles auto → light → dark in data-theme, names its state and the next, and the choice survives a reload', async ({ page }) => {
  await page.goto(appUrl());
  await waitForCards(page, 1);
  const toggle = page.locator(TOGGLE);
  const state = async () => ({
    theme: await page.getAttribute('html', 'data-theme'),
    stored: await page.evaluate(() => localStorage.getItem('gallery.theme')),
    label: await toggle.getAttribute('aria-label'),
  });
  let s = await state();
  assert.equal(s.theme, 'auto');
  assert.equal(s.stored, null);
  assert.match(s.label, /automatic.*switch to light/i);
  const [node] = await axNodes(page, TOGGLE);
  assert.equal(node.role, 'button');
  assert.equal(node.name, s.label);
  assert.ok((await pageLuminance(page)) > 0.8, 'a light system: a light page');

  await toggle.click();
  s = await state();
  assert.deepEqual([s.theme, s.stored], ['light', 'light']);
  assert.match(s.label, /light.*switch to dark/i);
  assert.ok((await pageLuminance(page)) > 0.8);

  await toggle.click();
  s = await state();
  assert.deepEqual([s.theme, s.stored], ['dark', 'dark']);
  assert.match(s.label, /dark.*switch to automatic/i);
  assert.ok((await pageLuminance(page)) < 0.05, 'dark chosen: a dark page');

  await page.reload();
  await waitForCards(page, 1);
  s = await state();
  assert.deepEqual([s.theme, s.stored], ['dark', 'dark'], 'the choice survives a reload');
  assert.ok((await pageLuminance(page)) < 0.05);

  await toggle.click();
  s = await state();
  assert.deepEqual([s.theme, s.stored], ['auto', null], 'auto forgets the choice');
  assert.ok((await pageLuminance(page)) > 0.8);
});

e2eTest('theme: with a dark system setting and no stored choice the page is dark, and light when light is chosen', async () => {
  const browser = await getBrowser();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
  try {
    const page = await newPage(context);
    await page.goto(appUrl());
    await waitForCards(page, 1);
    assert.equal(await page.getAttribute('html', 'data-theme'), 'auto');
    assert.equal(await page.evaluate(() => localStorage.getItem('gallery.theme')), null);
    assert.ok((await pageLuminance(page)) < 0.05, 'dark system: a dark page');
    await assertContrast(page, 'body', 'dark system: body text');
    await chooseTheme(page, 'light');
    assert.ok((await pageLuminance(page)) > 0.8, 'light chosen over a dark system');
    await page.reload();
    await waitForCards(page, 1);
    assert.ok((await pageLuminance(page)) > 0.8, 'still light after a reload');
    assertNoProblems(page);
  } finally {
    await context.close().catch(() => {});
  }
});
