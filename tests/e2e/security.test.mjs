// End-to-end security checks: text from a file (instructions, task names with markup)
// and URL parameters (markup, `javascript:`) are shown as text and never run; the
// Content-Security-Policy of index.html lets the normal demo flow run without a single
// violation. Every page records `securitypolicyviolation` events in `window.__csp`.
import assert from 'node:assert/strict';
import { after } from 'node:test';

import {
  CARD,
  appUrl,
  closeBrowser,
  e2eTest,
  urls,
  waitForCards,
  waitForFirstCardLoaded,
  waitInPage,
} from './lib.mjs';

after(closeBrowser);

const SAMPLE = '[data-testid=sample-view]';
const HOSTILE = ['<img src=x onerror=window.__pwned=1>', '<script>window.__pwned=2</script>'];

/** Record CSP violations and console refusals of `page` from its first script on. */
async function watch(page) {
  await page.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  page.cspConsole = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) page.cspConsole.push(msg.text());
  });
}

async function assertClean(page, when) {
  const state = await page.evaluate(() => ({ pwned: window.__pwned, csp: window.__csp }));
  assert.equal(state.pwned, undefined, `nothing from the data or the URL ran (${when})`);
  assert.deepEqual(state.csp, [], `no CSP violation (${when})`);
  assert.deepEqual(page.cspConsole, [], `no CSP message in the console (${when})`);
}

e2eTest('the demo runs under the Content-Security-Policy without a violation', async ({ page }) => {
  await watch(page);
  await page.goto(appUrl());
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  await waitForCards(page, 4);
  await waitForFirstCardLoaded(page);
  // Open a sample and go through every compare mode (styles set by the views included).
  await page.locator(CARD).first().click();
  await page.locator(SAMPLE).waitFor();
  for (const key of ['2', '3', '4', '1']) {
    await page.keyboard.press(key);
    await page.waitForTimeout(300);
  }
  await assertClean(page, 'demo flow');
});

e2eTest('markup in instructions and task names shows as text in cards and the sample view', async ({ page }) => {
  await watch(page);
  await page.goto(appUrl({ src: `${urls.data}/hostile.parquet` }));
  await waitForCards(page, 4);
  await waitInPage(
    page,
    (n) => [...document.querySelectorAll('[data-testid=card] [data-testid=instruction]')].filter((e) => e.textContent.trim()).length >= n,
    4,
    { message: 'instructions of the hostile file' },
  );
  const shown = await page.$$eval('[data-testid=card] [data-testid=instruction]', (es) => es.map((e) => e.textContent.trim()));
  for (const text of HOSTILE) assert.ok(shown.includes(text), `"${text}" shown literally: ${JSON.stringify(shown)}`);
  // No element came out of the data: no <img src=x>, no <script>, no <svg onload>.
  const injected = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__pwned')).length,
    svgs: document.querySelectorAll('svg[onload]').length,
    bolds: document.querySelectorAll('b[onmouseover]').length,
  }));
  assert.deepEqual(injected, { imgs: 0, scripts: 0, svgs: 0, bolds: 0 });
  // The sample view of each hostile row.
  for (const i of [0, 1]) {
    await page.locator(CARD).nth(i).click();
    await page.locator(SAMPLE).waitFor();
    await waitInPage(page, (t) => document.querySelector('[data-testid=sample-view]')?.textContent.includes(t), HOSTILE[i], {
      message: `the sample view shows ${HOSTILE[i]} as text`,
    });
    await page.keyboard.press('Escape');
    await page.locator(SAMPLE).waitFor({ state: 'detached' });
  }
  await page.waitForTimeout(500);
  await assertClean(page, 'hostile file');
});

e2eTest('markup and javascript: in URL parameters are refused or shown as text', async ({ page }) => {
  await watch(page);
  const cases = [
    { src: 'javascript:alert(1)' },
    { task: '<img src=x onerror=window.__pwned=6>' },
    { file: '<svg onload=window.__pwned=7>', row: '1' },
    { src: `${urls.data}/hostile.parquet`, file: '<img src=x onerror=window.__pwned=8>', row: '1' },
  ];
  for (const params of cases) {
    await page.goto(appUrl(params));
    // Let the app settle: it opens its source and shows cards, an error, or no pairs (an
    // unknown family).
    await page.waitForFunction(
      () => document.querySelector('[data-testid=card], [data-testid=error]') || /No pairs/.test(document.body.innerText),
      null,
      { timeout: 30_000 },
    );
    await page.waitForTimeout(500);
    const injected = await page.evaluate(() => document.querySelectorAll('img[src="x"], svg[onload]').length);
    assert.equal(injected, 0, `no element from ${JSON.stringify(params)}`);
    // No link of the page points to javascript:.
    const jsLinks = await page.evaluate(() => [...document.querySelectorAll('a[href]')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href'))).length);
    assert.equal(jsLinks, 0, `no javascript: link from ${JSON.stringify(params)}`);
    await assertClean(page, JSON.stringify(params));
  }
});
