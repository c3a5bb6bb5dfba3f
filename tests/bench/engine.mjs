#!/usr/bin/env node
// The range engine against hyparquet: the first grid of 24 pairs, read from each layout of
// tests/bench/make_layouts.py over HTTP range requests, in one headless Chromium run. Run on
// demand (not part of `make test`):
//
//   python3 tests/bench/make_layouts.py          # /tmp/gallery-bench-layouts (~1.2 GB)
//   (cd tests/bench && npm ci)                   # hyparquet, hyparquet-compressors
//   node tests/bench/engine.mjs [--runs N] [--layouts DIR] [--dist DIR] [--json FILE]
//   python3 tests/bench/make_layouts.py --big && node tests/bench/engine.mjs --big
//
// Three `gallery serve` origins: the built app (--dist, default dist/), this folder (the
// hyparquet page, tests/bench/hyparquet.html, and its unbundled modules from node_modules/),
// and the layouts (--cors). Both readers fetch the data cross-origin, as from a dataset
// host. Every page gets 50 ms of latency through CDP Network.emulateNetworkConditions
// (latency 50, no bandwidth cap: download/upload throughput -1); it holds for the page's
// workers too (the app fetches from a worker): a request's answer starts ~52 ms after it
// is issued. The viewport is 1280x800 (--viewport WxH): the first grid page of 24 cards
// fills it, so the app does not also load the second page (it does from ~1600x1200 on,
// which doubles its bytes).
//
// Per layout and reader, in a fresh browser context (no cache):
//   ours       the app at ?src=<file>; done when 24 [data-testid=card] each have a non-empty
//              [data-testid=instruction] and both [data-testid=source-image|edited-image]
//              shown (a thumbnail canvas that took its bitmap, or an img complete with
//              naturalWidth > 0);
//   hyparquet  hyparquet.html?src=<file>: parquetReadObjects of rows 0-23 of edit_instruction,
//              source_image and edited_image (useOffsetIndex, utf8: false, the compressors of
//              hyparquet-compressors), each image shown from a Blob URL; done when all loaded.
// Only requests to the data file count. Requests and bytes are those of the data server's
// request log (GET /__requests: every request including HEAD and CORS preflights, body bytes
// sent), snapshotted when the grid is complete; "after" is what came in the next 1.5 s.
// Time is from the first request to the data file to the complete grid ("data time", what
// the ratio uses: it leaves out how each reader's code loads — wasm vs unbundled modules);
// "page time" is from navigation start.
//
// Waves (sequential rounds of requests), from the browser's own timestamps of each request
// (Playwright's request.timing(): issue time, response start): requests are taken in
// issue order; a request opens a new wave when it is issued at or after the earliest
// response start of the current wave (it may depend on an answer of that wave); otherwise
// it joins the current wave.
//
// The physical minimum (computed here from the file alone, with hyparquet's metadata,
// offset-index and page-header parsers, not with the app's planner):
//   minimum = footer + sum over the column chunks of edit_instruction, source_image and
//             edited_image in the row groups holding rows 0-23 of
//               (dictionary page, header included, when the chunk has one)
//             + (every data page, header included, whose rows meet 0-23)
//   footer  = FileMetaData length + 8 (the length and the closing magic).
// Page rows come from the offset index when the chunk has one, else from walking the page
// headers (num_values of flat columns). The page index itself is not counted (it is shown
// apart as "index"), nor any other column.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { parquetMetadata, readOffsetIndex } from './node_modules/hyparquet/src/index.js';
import { parquetHeader } from './node_modules/hyparquet/src/column.js';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..', '..');
const HOST = '127.0.0.1';
const GRID_ROWS = 24;
const COLUMNS = ['edit_instruction', 'source_image', 'edited_image'];
const LATENCY_MS = 50;
const SETTLE_MS = 1_500;
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const RUNS = Number(arg('runs', 3));
const LAYOUTS = path.resolve(arg('layouts', '/tmp/gallery-bench-layouts'));
const DIST = path.resolve(ROOT, arg('dist', process.env.DIST_DIR || 'dist'));
const JSON_OUT = arg('json', null);
const ONLY = arg('only', null);
const BIG = process.argv.includes('--big');
const [VIEW_W, VIEW_H] = arg('viewport', '1280x800').split('x').map(Number);
const GALLERY = process.env.GALLERY_BIN || path.join(ROOT, 'target', 'release', 'gallery');

// ---------------------------------------------------------------------------------------
// The physical minimum

function readAt(fd, offset, length) {
  const bytes = new Uint8Array(length);
  const n = readSync(fd, bytes, 0, length, offset);
  return bytes.subarray(0, n);
}

function reader(bytes) {
  return { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
}

/** The bytes of rows [0, rows) of `columns` as the file lays them out (see the top). */
export function physicalMinimum(file, rows = GRID_ROWS, columns = COLUMNS) {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = readAt(fd, size - 8, 8);
    const metaLength = new DataView(tail.buffer).getUint32(0, true);
    const footer = metaLength + 8;
    const metadata = parquetMetadata(readAt(fd, size - footer, footer).slice().buffer);
    let pages = 0;
    let dictionaries = 0;
    let index = 0;
    let pageCount = 0;
    let groupStart = 0;
    for (const group of metadata.row_groups) {
      const groupRows = Number(group.num_rows);
      const start = groupStart;
      groupStart += groupRows;
      if (start >= rows) break;
      for (const chunk of group.columns) {
        const meta = chunk.meta_data;
        if (!columns.includes(meta.path_in_schema[0])) continue;
        const dict = meta.dictionary_page_offset ? Number(meta.dictionary_page_offset) : null;
        const data = Number(meta.data_page_offset);
        const chunkStart = dict !== null && dict < data ? dict : data;
        if (chunk.offset_index_offset !== undefined && chunk.offset_index_length) {
          const bytes = readAt(fd, Number(chunk.offset_index_offset), chunk.offset_index_length);
          index += bytes.length;
          const locations = readOffsetIndex(reader(bytes)).page_locations;
          const first = Number(locations[0].offset);
          if (first > chunkStart) dictionaries += first - chunkStart;
          locations.forEach((loc, k) => {
            const lo = start + Number(loc.first_row_index);
            const hi = k + 1 < locations.length ? start + Number(locations[k + 1].first_row_index) : start + groupRows;
            if (lo < rows && hi > 0) {
              pages += loc.compressed_page_size;
              pageCount += 1;
            }
          });
        } else {
          // Walk the page headers of the chunk.
          const end = chunkStart + Number(meta.total_compressed_size);
          let at = chunkStart;
          let row = start;
          while (at < end && row < rows) {
            const r = reader(readAt(fd, at, Math.min(1 << 16, end - at)));
            const header = parquetHeader(r);
            const length = r.offset + header.compressed_page_size;
            if (header.type === 'DICTIONARY_PAGE') {
              dictionaries += length;
            } else {
              const n = header.data_page_header_v2?.num_rows ?? header.data_page_header.num_values;
              if (row < rows) {
                pages += length;
                pageCount += 1;
              }
              row += n;
            }
            at += length;
          }
        }
      }
    }
    return { footer, pages, dictionaries, index, pageCount, bytes: footer + pages + dictionaries, size };
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------
// Servers

const children = new Set();
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', stopAll);
for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => { stopAll(); process.exit(130); });

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function serve(root, extra = []) {
  const port = await freePort();
  const child = spawn(GALLERY, ['serve', root, '--host', HOST, '--port', String(port), '--quiet', ...extra], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.add(child);
  const origin = `http://${HOST}:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(`${origin}/__requests`);
      if (res.ok) { await res.arrayBuffer(); return origin; }
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gallery serve ${root} did not answer`);
}

async function requestLog(origin) {
  return (await fetch(`${origin}/__requests`)).json();
}
async function clearLog(origin) {
  const res = await fetch(`${origin}/__requests/clear`, { method: 'POST' });
  if (!res.ok) throw new Error(`clear request log: ${res.status}`);
}

// ---------------------------------------------------------------------------------------
// Browser

let browser;
async function freshPage() {
  const context = await browser.newContext({ viewport: { width: VIEW_W, height: VIEW_H } });
  // Images costing more than the app's limit (50 MB) wait for the user's yes: a limit of
  // 1 TB answers it beforehand (layout c's first page costs its whole dictionary page).
  await context.addInitScript(() => localStorage.setItem('gallery.ask-above-bytes', '1000000000000'));
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: LATENCY_MS, downloadThroughput: -1, uploadThroughput: -1,
  });
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(String(e)));
  page.on('console', (m) => { if (/panicked|error/i.test(m.type() + m.text())) page.problems.push(m.text()); });
  return { context, page };
}

/** Browser-side timings of the requests to `fileUrl` (issue, response start, end: epoch ms). */
function watchRequests(page, fileUrl) {
  const list = [];
  const note = (req, failed) => {
    if (req.url() !== fileUrl) return;
    const t = req.timing();
    const start = t.startTime;
    const rs = t.responseStart >= 0 ? start + t.responseStart : Infinity;
    const end = t.responseEnd >= 0 ? start + t.responseEnd : Infinity;
    list.push({ method: req.method(), range: req.headers().range ?? null, start, responseStart: rs, end, failed });
  };
  page.on('requestfinished', (r) => note(r, false));
  page.on('requestfailed', (r) => note(r, true));
  return list;
}

/** Sequential rounds of requests (the rule is at the top of this file); numbers each
 * request's wave in `r.wave`. */
export function waves(requests) {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  let count = 0;
  let boundary = -Infinity;
  for (const r of sorted) {
    if (count === 0 || r.start >= boundary) {
      count += 1;
      boundary = r.responseStart;
    } else {
      boundary = Math.min(boundary, r.responseStart);
    }
    r.wave = count;
  }
  return count;
}

/** The browser's view of the requests: wave, issue and response times from the first. */
function timeline(requests) {
  const sorted = [...requests].sort((a, b) => a.start - b.start);
  const t0 = sorted[0]?.start ?? 0;
  const ms = (t) => (Number.isFinite(t) ? String(Math.round(t - t0)) : '-');
  return sorted.map((r) => `w${r.wave} ${r.method} ${r.range ?? '-'} issued ${ms(r.start)} answered ${ms(r.responseStart)} done ${ms(r.end)}${r.failed ? ' failed' : ''}`);
}

const OURS_DONE = (n) => {
  const cards = [...document.querySelectorAll('[data-testid=card]')].slice(0, n);
  if (cards.length < n) return false;
  const ok = cards.every((c) => {
    const text = (c.querySelector('[data-testid=instruction]')?.textContent ?? '').trim();
    const imgs = ['source-image', 'edited-image'].map((id) => c.querySelector(`[data-testid=${id}]`));
    return text && imgs.every((i) => i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0));
  });
  return ok && { ms: performance.now(), origin: performance.timeOrigin };
};

// When the first grid's images are decoded too: the gallery's thumbnails are decoded when
// shown (a canvas holding its bitmap); an <img> (hyparquet's, or a small image the gallery
// shows as stored) is loaded before it is decoded, so its decode() is awaited.
const OURS_DECODED = async (n) => {
  const cards = [...document.querySelectorAll('[data-testid=card]')].slice(0, n);
  const imgs = cards.flatMap((c) => [...c.querySelectorAll('img[data-testid$=-image]')]);
  if (!imgs.length) return null;
  await Promise.all(imgs.map((i) => i.decode()));
  return performance.now();
};

const HYPARQUET_DECODED = () => window.benchDecoded;

const HYPARQUET_DONE = () =>
  window.benchDone && (window.benchDone.error ? window.benchDone : { ...window.benchDone, origin: performance.timeOrigin });

async function measure(kind, url, fileUrl, dataOrigin, filePath) {
  await clearLog(dataOrigin);
  const { context, page } = await freshPage();
  try {
    const requests = watchRequests(page, fileUrl);
    await page.goto(url, { waitUntil: 'commit' });
    const handle = kind === 'ours'
      ? await page.waitForFunction(OURS_DONE, GRID_ROWS, { polling: 'raf', timeout: 300_000 })
      : await page.waitForFunction(HYPARQUET_DONE, null, { polling: 50, timeout: 300_000 });
    const done = await handle.jsonValue();
    const decoded = kind === 'ours'
      ? { ms: await page.evaluate(OURS_DECODED, GRID_ROWS) }
      : await (await page.waitForFunction(HYPARQUET_DECODED, null, { polling: 20, timeout: 300_000 })).jsonValue();
    if (decoded.error) throw new Error(`${kind}: ${decoded.error}`);
    const atDone = (await requestLog(dataOrigin)).filter((r) => r.path === filePath);
    if (done.error) throw new Error(`${kind}: ${done.error}`);
    const doneAt = done.origin + done.ms;
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const after = (await requestLog(dataOrigin)).filter((r) => r.path === filePath);
    const before = requests.filter((r) => r.start <= doneAt);
    const firstStart = Math.min(...before.map((r) => r.start));
    return {
      requests: atDone.length,
      bytes: atDone.reduce((s, r) => s + r.body_bytes, 0),
      methods: [...new Set(atDone.map((r) => r.method))].join('+'),
      afterRequests: after.length - atDone.length,
      afterBytes: after.slice(atDone.length).reduce((s, r) => s + r.body_bytes, 0),
      dataMs: doneAt - firstStart,
      // Ours without an <img> in the grid: decoded when shown.
      decodedMs: (decoded.ms == null ? doneAt : Math.max(doneAt, done.origin + decoded.ms)) - firstStart,
      netMs: Math.max(...before.map((r) => (Number.isFinite(r.end) ? r.end : r.start))) - firstStart,
      pageMs: done.ms,
      waves: waves(before),
      timeline: timeline(before),
      browserRequests: before.length,
      log: atDone.map((r) => `${r.method} ${r.range ?? '-'} ${r.status} ${r.body_bytes}`),
      problems: page.problems,
    };
  } finally {
    await context.close();
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

const MB = (n) => `${(n / 1e6).toFixed(2)} MB`;
const r2 = (x) => x.toFixed(2);

async function benchLayouts(appOrigin, benchOrigin) {
  const files = readdirSync(LAYOUTS).filter((f) => f.endsWith('.parquet') && (!ONLY || f.includes(ONLY))).sort();
  if (!files.length) throw new Error(`no .parquet in ${LAYOUTS}: run python3 tests/bench/make_layouts.py`);
  const dataOrigin = await serve(LAYOUTS, ['--cors']);
  const results = [];
  for (const f of files) {
    const min = physicalMinimum(path.join(LAYOUTS, f));
    const fileUrl = `${dataOrigin}/${f}`;
    const runs = { ours: [], hyparquet: [] };
    for (let i = 0; i < RUNS; i++) {
      runs.ours.push(await measure('ours', `${appOrigin}/?src=${encodeURIComponent(fileUrl)}`, fileUrl, dataOrigin, `/${f}`));
      runs.hyparquet.push(
        await measure('hyparquet', `${benchOrigin}/hyparquet.html?src=${encodeURIComponent(fileUrl)}`, fileUrl, dataOrigin, `/${f}`),
      );
      process.stderr.write('.');
    }
    const pick = (rs) => ({ ...rs[0], dataMs: median(rs.map((r) => r.dataMs)), decodedMs: median(rs.map((r) => r.decodedMs)), netMs: median(rs.map((r) => r.netMs)), pageMs: median(rs.map((r) => r.pageMs)), allDataMs: rs.map((r) => Math.round(r.dataMs)), allWaves: rs.map((r) => r.waves) });
    const ours = pick(runs.ours);
    const hyp = pick(runs.hyparquet);
    const result = {
      file: f,
      size: min.size,
      minimum: min,
      ours,
      hyparquet: hyp,
      ratios: {
        oursOverMinimum: ours.bytes / min.bytes,
        oursOverHyparquetBytes: ours.bytes / hyp.bytes,
        oursOverHyparquetTime: ours.dataMs / hyp.dataMs,
        oursOverHyparquetDecoded: ours.decodedMs / hyp.decodedMs,
      },
    };
    results.push(result);
    const g = (ok) => (ok ? 'ok' : 'MISSED');
    console.log(`\n== ${f} (${MB(min.size)})`);
    console.log(`  minimum   ${MB(min.bytes)} = footer ${min.footer} + pages ${min.pages} (${min.pageCount}) + dictionaries ${min.dictionaries}; page index of those chunks ${min.index} B`);
    for (const [name, m] of [['ours', ours], ['hyparquet', hyp]]) {
      console.log(`  ${name.padEnd(9)} ${String(m.requests).padStart(3)} requests (${m.methods}), ${MB(m.bytes)}, ${Math.round(m.dataMs)} ms data time [${m.allDataMs.join(', ')}] (last byte at ${Math.round(m.netMs)} ms), ${Math.round(m.pageMs)} ms page time, ${m.waves} waves (runs: ${m.allWaves.join(', ')}); after the grid: ${m.afterRequests} requests, ${MB(m.afterBytes)}`);
    }
    console.log(`  ours/minimum bytes     ${r2(result.ratios.oursOverMinimum)}  (goal <= 1.1: ${g(result.ratios.oursOverMinimum <= 1.1)})`);
    console.log(`  ours/hyparquet bytes   ${r2(result.ratios.oursOverHyparquetBytes)}  (goal < 1: ${g(result.ratios.oursOverHyparquetBytes < 1)})`);
    console.log(`  ours/hyparquet time    ${r2(result.ratios.oursOverHyparquetTime)}  (goal <= 0.7: ${g(result.ratios.oursOverHyparquetTime <= 0.7)})`);
    console.log(`  our waves              ${ours.waves}  (goal <= 3: ${g(ours.waves <= 3)})`);
    console.log(`  images decoded too: ours ${Math.round(ours.decodedMs)} ms, hyparquet ${Math.round(hyp.decodedMs)} ms, ratio ${r2(result.ratios.oursOverHyparquetDecoded)}`);
    for (const m of [...runs.ours, ...runs.hyparquet]) if (m.problems.length) console.log(`  problems: ${m.problems.join(' | ')}`);
    if (process.env.BENCH_VERBOSE) {
      console.log('  ours:\n    ' + ours.timeline.join('\n    '));
      console.log('  hyparquet:\n    ' + hyp.timeline.join('\n    '));
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------
// Offsets past 4 GiB: the sample view of the last rows of big/big.parquet.

async function benchBig(appOrigin) {
  const dir = path.join(LAYOUTS, 'big');
  const expected = JSON.parse(readFileSync(path.join(dir, 'big.json'), 'utf8'));
  const dataOrigin = await serve(dir, ['--cors']);
  const fileUrl = `${dataOrigin}/big.parquet`;
  const out = { bytes: expected.bytes, rows: expected.rows, checked: [] };
  for (const [row, want] of Object.entries(expected.images)) {
    await clearLog(dataOrigin);
    const { context, page } = await freshPage();
    try {
      // The sample view's link names the file as the grid's cards do (data-file).
      await page.goto(`${appOrigin}/?src=${encodeURIComponent(fileUrl)}`);
      const key = await (await page.waitForFunction(() => document.querySelector('[data-testid=card]')?.getAttribute('data-file'), null, { timeout: 60_000 })).jsonValue();
      await clearLog(dataOrigin);
      await page.goto(`${appOrigin}/?src=${encodeURIComponent(fileUrl)}&file=${encodeURIComponent(key)}&row=${row}`);
      await page.waitForFunction(() => {
        const view = document.querySelector('[data-testid=sample-view]');
        const imgs = view && ['source-image', 'edited-image'].map((id) => view.querySelector(`img[data-testid=${id}]`));
        return imgs && imgs.every((i) => i && i.complete && i.naturalWidth > 0);
      }, null, { polling: 200, timeout: 120_000 }).catch(async (e) => {
        await page.screenshot({ path: `/tmp/bench-big-row${row}.png` }).catch(() => {});
        const text = await page.evaluate(() => document.body.innerText.slice(0, 2000)).catch(() => '');
        const log = (await requestLog(dataOrigin)).map((r) => `${r.method} ${r.range} ${r.status} ${r.body_bytes}`);
        throw new Error(`row ${row}: ${e.message}\npage text: ${text}\nrequests: ${log.join('; ')}\nproblems: ${page.problems.join(' | ')}`);
      });
      const got = await page.evaluate(async () => {
        const view = document.querySelector('[data-testid=sample-view]');
        const imgs = ['source-image', 'edited-image'].map((id) => view.querySelector(`img[data-testid=${id}]`));
        const hex = async (img) => {
          const bytes = await (await fetch(img.src)).arrayBuffer();
          const d = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
          return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
        };
        return {
          instruction: view.querySelector('[data-testid=instruction]')?.textContent?.trim() ?? '',
          error: view.querySelector('[data-testid=error]')?.textContent?.trim() ?? null,
          source: await hex(imgs[0]),
          edited: await hex(imgs[1]),
          sizes: imgs.map((i) => [i.naturalWidth, i.naturalHeight]),
        };
      });
      const log = (await requestLog(dataOrigin)).filter((r) => r.path === '/big.parquet');
      const ranges = log.map((r) => r.range).filter(Boolean);
      const maxOffset = Math.max(...ranges.map((r) => Number(/bytes=(\d+)/.exec(r)?.[1] ?? 0)));
      // The text may come a moment after the images, or fail (its error is shown).
      await page.waitForFunction(
        () => document.querySelector('[data-testid=sample-view] [data-testid=instruction]')?.textContent?.trim() ||
          document.querySelector('[data-testid=sample-view] [data-testid=error]'),
        null, { timeout: 30_000 },
      ).catch(() => {});
      Object.assign(got, await page.evaluate(() => {
        const view = document.querySelector('[data-testid=sample-view]');
        return {
          instruction: view.querySelector('[data-testid=instruction]')?.textContent?.trim() ?? '',
          error: view.querySelector('[data-testid=error]')?.textContent?.trim() ?? null,
        };
      }));
      const images = got.source === want.source_image && got.edited === want.edited_image;
      const text = got.instruction === want.instruction;
      const ok = images && text;
      out.checked.push({ row: Number(row), ok, images, text, error: got.error, maxOffset, requests: log.length, bytes: log.reduce((s, r) => s + r.body_bytes, 0), sizes: got.sizes, problems: page.problems });
      console.log(`big.parquet row ${row}: images ${images ? 'match (SHA-256)' : 'DIFFER'}, instruction ${text ? 'matches' : `DIFFERS (${JSON.stringify(got.instruction)}; error: ${got.error})`}; highest range start ${maxOffset} (${(maxOffset / 2 ** 30).toFixed(2)} GiB), ${log.length} requests, ${MB(out.checked.at(-1).bytes)}`);
    } finally {
      await context.close();
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------

if (!existsSync(GALLERY)) throw new Error(`${GALLERY} not found: cargo build --release --bin gallery`);
if (!existsSync(path.join(DIST, 'index.html'))) throw new Error(`${DIST}/index.html not found: make build, or --dist DIR`);
if (!existsSync(path.join(BENCH_DIR, 'node_modules', 'hyparquet'))) throw new Error('run npm ci in tests/bench');

try {
  const appOrigin = await serve(DIST);
  const benchOrigin = await serve(BENCH_DIR);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  const version = browser.version();
  console.log(`machine: ${os.cpus()[0]?.model ?? '?'} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; ${os.type()} ${os.release()}; Chromium ${version}; node ${process.version}`);
  console.log(`latency ${LATENCY_MS} ms (CDP), no bandwidth cap; ${RUNS} run(s) per reader and layout, median time`);
  const results = BIG ? { big: await benchBig(appOrigin) } : { layouts: await benchLayouts(appOrigin, benchOrigin) };
  if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify({ chromium: version, latency: LATENCY_MS, runs: RUNS, ...results }, null, 1));
} finally {
  await browser?.close().catch(() => {});
  stopAll();
}
