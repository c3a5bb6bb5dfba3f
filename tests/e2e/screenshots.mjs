#!/usr/bin/env node
// The README's screenshots: the grid, each comparison mode and the dark theme, at 1280×800,
// written to docs/screenshots/. Run on demand after `make dist`:
//
//   node tests/e2e/screenshots.mjs [--out DIR]
//
// Serves dist (with the bundled demo) with the release command line on a free port, opens
// one demo pair whose edit shows in every mode (the cat's eyes turned blue: at the
// slider's middle one eye is still the source's), and saves grid, side-by-side, slider,
// flicker, difference and dark (the side-by-side view in the dark theme). They are JPEG
// (quality 85): a PNG of a screen full of photographs is 400–600 KB, a JPEG a fifth of
// that with the text still crisp. Each should stay under 300 KB (said when one is not).
import { spawn } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { CHROMIUM, CHROMIUM_ARGS, DIST_DIR, ROOT, newPage, waitForImages, waitInPage } from './lib.mjs';
import { chromium } from 'playwright-core';

const outArg = process.argv.indexOf('--out');
const OUT = path.resolve(ROOT, outArg > 0 ? process.argv[outArg + 1] : 'docs/screenshots');
const GALLERY = process.env.GALLERY_BIN || path.join(ROOT, 'target', 'release', 'gallery');
const VIEWPORT = { width: 1280, height: 800 };
const LIMIT = 300 * 1024;
const QUALITY = 85;
// The pair: a demo shard and row, and words of its instruction (checked, so that a
// rewritten demo is noticed rather than shown).
const PAIR = { file: '3.1_color_change/color_change_0000.parquet', row: '2', words: 'eyes' };
const SAMPLE = '[data-testid=sample-view]';

/** `gallery serve dist --port 0`; resolves to its origin once it says where it listens. */
function serve() {
  const child = spawn(GALLERY, ['serve', DIST_DIR, '--host', '127.0.0.1', '--port', '0', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const origin = new Promise((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const m = /https?:\/\/[^\s/]+/.exec(seen);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`gallery serve exited (${code}) before listening`)));
  });
  return { child, origin };
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const server = serve();
  process.on('exit', () => server.child.kill('SIGTERM'));
  const origin = await server.origin;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const saved = [];
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light' });
    const page = await newPage(context);
    const shoot = async (name) => {
      // Transitions and the grid's shimmer settle; the pointer is out of the way.
      await page.mouse.move(0, VIEWPORT.height - 1);
      await page.waitForTimeout(400);
      const file = path.join(OUT, `${name}.jpg`);
      await page.screenshot({ path: file, type: 'jpeg', quality: QUALITY, animations: 'disabled', caret: 'hide' });
      saved.push([file, statSync(file).size]);
    };
    const pairUrl = (mode) => {
      const url = new URL(origin + '/');
      url.searchParams.set('file', PAIR.file);
      url.searchParams.set('row', PAIR.row);
      if (mode) url.searchParams.set('mode', mode);
      return url.toString();
    };
    const gridLoaded = async () => {
      await waitInPage(
        page,
        () => {
          const cards = [...document.querySelectorAll('[data-testid=card]')];
          const shown = cards.filter((c) => c.getBoundingClientRect().top < innerHeight);
          return shown.length >= 6 && shown.every((c) => [...c.querySelectorAll('[data-testid$=-image]')].every((i) => (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0)));
        },
        null,
        { timeout: 30_000, message: 'the first screen of cards with their pictures' },
      );
    };

    // The grid of the whole demo.
    await page.goto(origin + '/');
    await gridLoaded();
    await shoot('grid');

    // The four modes of one pair.
    for (const [name, mode] of [['side-by-side', null], ['slider', 'slider'], ['flicker', 'flicker'], ['difference', 'diff']]) {
      await page.goto(pairUrl(mode));
      await waitInPage(page, (m) => document.querySelector('[data-testid=compare]')?.dataset.mode === m, mode ?? 'side', {
        message: `mode ${mode ?? 'side'}`,
      });
      await waitInPage(page, (sel) => document.querySelector(sel)?.textContent.trim(), `${SAMPLE} [data-testid=instruction]`, {
        message: 'the instruction',
      });
      const instruction = await page.locator(`${SAMPLE} [data-testid=instruction]`).textContent();
      if (!instruction.includes(PAIR.words)) throw new Error(`${PAIR.file} row ${PAIR.row} is "${instruction}", not the pair expected`);
      if (mode === 'diff') {
        await waitInPage(page, () => document.querySelector('[data-testid=diff-heatmap]')?.naturalWidth > 0, null, {
          message: 'the heatmap',
        });
        await waitInPage(page, () => document.querySelector('[data-testid=diff-fraction]')?.dataset.fraction !== undefined, null, {
          message: 'the share of changed pixels',
        });
      } else {
        await waitForImages(page, SAMPLE);
      }
      // Focus rests on the dialog itself, not on a control with a ring.
      await page.locator(SAMPLE).focus();
      await shoot(name);
    }

    // The dark theme, chosen with the button in the top bar (it stays for the next page):
    // the pair side by side over the grid.
    await page.goto(origin + '/');
    await gridLoaded();
    for (let i = 0; i < 3 && (await page.getAttribute('html', 'data-theme')) !== 'dark'; i++) {
      await page.locator('[data-testid=theme-toggle]').click();
    }
    if ((await page.getAttribute('html', 'data-theme')) !== 'dark') throw new Error('the theme button never chose dark');
    await page.goto(pairUrl(null));
    await waitForImages(page, SAMPLE);
    await page.locator(SAMPLE).focus();
    await shoot('dark');
    if (page.problems.length) throw new Error(`the page reported problems:\n${page.problems.join('\n')}`);
    await context.close();
  } finally {
    await browser.close();
    server.child.kill('SIGTERM');
  }
  for (const [file, size] of saved) {
    const note = size > LIMIT ? '  (over 300 KB)' : '';
    console.log(`${path.relative(ROOT, file)}  ${(size / 1024).toFixed(0)} KB${note}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
