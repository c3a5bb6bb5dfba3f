#!/usr/bin/env node
// The grid benchmark: scrolling 10,000 rows and the tab's memory after 2,000 large pairs.
//
//   python3 tests/bench/make_grid_dataset.py /tmp/gallery-bench
//   node tests/bench/grid.mjs [--data /tmp/gallery-bench] [--dist /tmp/dist-me]
//        [--only scroll|memory] [--pace 4000] [--scroller raf|wheel] [--out results.json] [--profile]
//        [--max-pairs N] (stop the memory run early, to look into it)
//        [--playwright] (drive the memory run's browser with Playwright, which makes it
//        keep every response body: see cdp_pipe.mjs)
//   BENCH_DUMP_DETAIL=<allocator> prints the memory-infra dumps under that name
//   (e.g. cc/image_memory) with their sizes.
//
// It serves the built app (`--dist`, default dist/) and the data folder (a second origin,
// with CORS) with target/release/gallery, opens `?src=<file>` in headless Chromium
// (1280 x 800) and measures two goals of the grid:
//
//   scroll   grid-10k.parquet: scrolled from top to bottom at a steady pace (`--pace`
//            CSS px per second) until the sentinel says all pairs are shown. `--scroller
//            raf` (the default) moves it with scrollBy in the page's animation frames: the
//            page's own JS, and a forced layout whenever the DOM changed, run in every frame.
//            `--scroller wheel` sends mouse-wheel events through DevTools every ~16 ms, as a
//            user's wheel or touchpad does: the browser scrolls, the page runs no code. Main-thread long tasks (PerformanceObserver 'longtask',
//            installed before the app loads), long animation frames (their scripts name
//            the code) and the gaps between animation frames. Goal: no task over 50 ms.
//   memory   grid-2k-large.parquet: scrolled screen by screen through all 2,000 pairs,
//            waiting on each screen until its thumbnails are shown. Then the JS heaps
//            (page: CDP Performance.getMetrics; worker: Runtime.getHeapUsage through an
//            attached session), DOM nodes, <img>/<canvas> elements and the memory of the
//            browser's processes (/proc/<pid>/smaps_rollup), before and after a forced
//            GC, with the peak seen while scrolling. Goal: the tab's memory <= 300 MB.
//
// "The tab's memory" is the proportional set size (Pss) of the tab's renderer process:
// the page and its dedicated worker are threads of that one process, so it holds both
// JS heaps, the DOM, decoded images and the WebAssembly memories. Blob data (the
// thumbnails the worker hands to the page) is kept by the browser process, whose growth
// over the run is reported beside it; so is the sum over every process of the browser.
//
// `--profile` records a CPU profile of the scroll (written beside --out) and prints the
// functions with the most self time inside long tasks.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launchRaw } from './cdp_pipe.mjs';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH_DIR, '..', '..');
const require = createRequire(path.join(ROOT, 'tests', 'e2e', 'package.json'));
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const VIEWPORT = { width: 1280, height: 800 };
const GOAL_TASK_MS = 50;
const GOAL_MEMORY_MB = 300;

// ---------------------------------------------------------------------------------------
// Options

function options(argv) {
  const o = {
    data: '/tmp/gallery-bench',
    dist: path.join(ROOT, 'dist'),
    only: null,
    pace: 4000,
    scroller: 'raf',
    out: null,
    profile: false,
    scrollTimeout: 600,
    memoryTimeout: 1200,
    maxPairs: Infinity,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--data') o.data = path.resolve(value());
    else if (a === '--dist') o.dist = path.resolve(value());
    else if (a === '--only') o.only = value();
    else if (a === '--pace') o.pace = Number(value());
    else if (a === '--scroller') o.scroller = value();
    else if (a === '--out') o.out = path.resolve(value());
    else if (a === '--profile') o.profile = true;
    else if (a === '--scroll-timeout') o.scrollTimeout = Number(value());
    else if (a === '--playwright') o.playwright = true;
    else if (a === '--memory-timeout') o.memoryTimeout = Number(value());
    else if (a === '--max-pairs') o.maxPairs = Number(value());
    else if (a === '-h' || a === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (o.only && !['scroll', 'memory'].includes(o.only)) throw new Error('--only is scroll or memory');
  o.out ??= path.join(o.data, 'grid-results.json');
  return o;
}

// ---------------------------------------------------------------------------------------
// Servers

const children = new Set();

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function serve(dir, cors) {
  const gallery = process.env.GALLERY_BIN || path.join(ROOT, 'target', 'release', 'gallery');
  if (!existsSync(gallery)) throw new Error(`${gallery} is missing: cargo build --release --bin gallery`);
  const port = await freePort();
  const args = ['serve', dir, '--port', String(port), '--quiet', ...(cors ? ['--cors'] : [])];
  const child = spawn(gallery, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${origin}/__requests`);
      await res.arrayBuffer();
      if (res.ok) return origin;
    } catch {}
    if (Date.now() > deadline) throw new Error(`gallery serve ${dir} did not answer`);
    await sleep(100);
  }
}

function stopServers() {
  for (const child of children) child.kill('SIGTERM');
}

// ---------------------------------------------------------------------------------------
// Processes and memory

/** Every process descending from this one (the browser and its children): pid → cmdline. */
function descendants() {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {}
  }
  const out = new Map();
  for (const pid of parent.keys()) {
    let p = pid;
    for (let hops = 0; p > 1 && hops < 20; hops++) {
      p = parent.get(p);
      if (p === process.pid) {
        try {
          // Chromium rewrites its command line as one string: split on spaces too.
          const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
          if (/chrom/i.test(cmd[0])) out.set(pid, cmd);
        } catch {}
        break;
      }
    }
  }
  return out;
}

function kindOf(cmd) {
  const t = cmd.find((a) => a.startsWith('--type='));
  if (!t) return 'browser';
  const type = t.slice(7);
  if (type === 'utility') {
    const sub = cmd.find((a) => a.startsWith('--utility-sub-type='));
    return `utility:${sub ? sub.slice(19).split('.').pop() : '?'}`;
  }
  return type;
}

/** Pss, Rss and private (clean + dirty) bytes of a process, from smaps_rollup. */
function memoryOf(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { pss: kb('Pss'), rss: kb('Rss'), private: kb('Private_Clean') + kb('Private_Dirty') };
  } catch {
    return null;
  }
}

/** The largest mappings of a process by Pss: [{ range, name, size, rss, pss }] in bytes. */
function biggestMappings(pid, count = 8) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  } catch {
    return [];
  }
  const maps = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      cur = { range: `${head[1]}-${head[2]}`, name: head[3] || '[anon]', size: 0, rss: 0, pss: 0 };
      maps.push(cur);
      continue;
    }
    const kv = /^(Size|Rss|Pss):\s+(\d+) kB/.exec(line);
    if (kv && cur) cur[kv[1].toLowerCase()] = Number(kv[2]) * 1024;
  }
  return maps.sort((a, b) => b.pss - a.pss).slice(0, count);
}

/** The browser's processes with their memory: [{ pid, kind, pss, rss, private }]. */
function processes() {
  const out = [];
  for (const [pid, cmd] of descendants()) {
    const m = memoryOf(pid);
    if (m) out.push({ pid, kind: kindOf(cmd), ...m });
  }
  return out.sort((a, b) => b.pss - a.pss);
}

// ---------------------------------------------------------------------------------------
// Page instrumentation (installed before the app's scripts run)

function instrument() {
  const bench = (window.__bench = { longtasks: [], loafs: [], frames: [], recording: false, scroll: null });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        bench.longtasks.push({
          start: e.startTime,
          duration: e.duration,
          name: e.name,
          attribution: (e.attribution || []).map((a) => `${a.containerType}:${a.containerName || a.containerSrc || a.name}`),
        });
      }
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        bench.loafs.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          style: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
          scripts: (e.scripts || []).map((s) => ({
            invoker: s.invoker,
            fn: s.sourceFunctionName,
            url: (s.sourceURL || '').split('/').pop(),
            duration: s.duration,
            forcedLayout: s.forcedStyleAndLayoutDuration,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  // Every animation frame's time while recording; the scroller moves the page by
  // `pace` px/s of elapsed time, so a late frame shows as a jump, not a slower scroll.
  let last = 0;
  const frame = (t) => {
    if (bench.recording) bench.frames.push(t);
    const s = bench.scroll;
    if (s && s.on && last) {
      // scrollTop is read before scrolling, when the last frame's layout is still clean:
      // reading it after scrollBy would force a layout inside this callback.
      const el = document.scrollingElement || document.documentElement;
      if (s.asked && el.scrollTop === s.before) s.stuckFrames += 1;
      s.carry += (s.pace * (t - last)) / 1000;
      const step = Math.floor(s.carry);
      s.asked = step > 0;
      s.before = el.scrollTop;
      if (step > 0) {
        window.scrollBy(0, step);
        s.carry -= step;
      }
    }
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

// ---------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes) => bytes / 1e6;
const fmt = (x, digits = 1) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(digits));

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => (i ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ')).join('\n');
}

function machine() {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  let version = '?';
  try {
    version = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {}
  return {
    cpu,
    cores: os.cpus().length,
    memoryGB: Math.round(os.totalmem() / 1e9),
    chromium: version,
    node: process.version,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
  };
}

async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

async function openGallery(browser, app, src) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  page.on('console', (m) => /panicked/i.test(m.text()) && page.problems.push(m.text()));
  const url = `${app}/?src=${encodeURIComponent(src)}`;
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const i = document.querySelector('[data-testid=card] [data-testid=source-image]');
      return i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0);
    },
    null,
    { timeout: 60_000, polling: 100 },
  );
  return { context, page, url };
}

const sentinelText = (page) => page.evaluate(() => document.querySelector('.sentinel')?.textContent ?? '');

// ---------------------------------------------------------------------------------------
// 1. Scrolling 10,000 rows

async function scrollBench(browser, app, dataOrigin, opts) {
  const src = `${dataOrigin}/grid-10k.parquet`;
  const { context, page } = await openGallery(browser, app, src);
  const cdp = await context.newCDPSession(page);
  const layout = await page.evaluate(() => {
    const cards = [...document.querySelectorAll('[data-testid=card]')];
    const tops = new Set(cards.map((c) => Math.round(c.getBoundingClientRect().top)));
    return { columns: cards.length / tops.size, cardHeight: cards[0].getBoundingClientRect().height };
  });
  // Let the first screen settle, then record from the first scroll on.
  await sleep(1500);
  if (opts.profile) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
    await cdp.send('Profiler.start');
  }
  const wheel = opts.scroller === 'wheel';
  const t0 = await page.evaluate(([pace, wheel]) => {
    const b = window.__bench;
    b.frames = [];
    b.recording = true;
    b.scroll = { on: !wheel, pace, carry: 0, stuckFrames: 0 };
    return { perf: performance.now(), wall: Date.now() };
  }, [opts.pace, wheel]);
  // The wheel: a notch's worth of pixels every ~16 ms, by the time elapsed.
  let wheeling = wheel;
  const wheelLoop = (async () => {
    let last = Date.now();
    let carry = 0;
    while (wheeling) {
      await sleep(16);
      const now = Date.now();
      carry += (opts.pace * (now - last)) / 1000;
      last = now;
      const step = Math.floor(carry);
      carry -= step;
      if (step > 0) {
        await cdp.send('Input.dispatchMouseEvent', { type: 'mouseWheel', x: VIEWPORT.width / 2, y: VIEWPORT.height / 2, deltaX: 0, deltaY: step });
      }
    }
  })();
  const samples = [];
  let done = false;
  let maxRow = 0;
  const deadline = Date.now() + opts.scrollTimeout * 1000;
  while (!done && Date.now() < deadline) {
    await sleep(1000);
    const s = await page.evaluate(() => {
      const el = document.scrollingElement || document.documentElement;
      const hit = document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest('[data-testid=card]');
      const cards = document.querySelectorAll('[data-testid=card]');
      return {
        t: performance.now(),
        top: el.scrollTop,
        height: el.scrollHeight,
        atEnd: el.scrollTop + innerHeight >= el.scrollHeight - 2,
        row: hit ? Number(hit.getAttribute('data-row')) : null,
        lastRow: Number(cards[cards.length - 1]?.getAttribute('data-row') ?? 0),
        sentinel: document.querySelector('.sentinel')?.textContent ?? '',
      };
    });
    samples.push(s);
    if (s.row != null) maxRow = Math.max(maxRow, s.row);
    done = s.atEnd && /^All /.test(s.sentinel);
    process.stderr.write(`\rscroll: ${Math.round((s.t - t0.perf) / 1000)} s, row ${s.row ?? '?'} of 10000, ${Math.round(s.top)} px   `);
  }
  process.stderr.write('\n');
  wheeling = false;
  await wheelLoop;
  const result = await page.evaluate((start) => {
    const b = window.__bench;
    b.scroll.on = false;
    b.recording = false;
    const el = document.scrollingElement || document.documentElement;
    return {
      end: performance.now(),
      start,
      frames: b.frames,
      longtasks: b.longtasks,
      loafs: b.loafs,
      stuckFrames: b.scroll.stuckFrames,
      scrolled: el.scrollTop,
      lastRow: Number([...document.querySelectorAll('[data-testid=card]')].pop()?.getAttribute('data-row') ?? 0),
      cardsInDom: document.querySelectorAll('[data-testid=card]').length,
    };
  }, t0.perf);
  let profile = null;
  if (opts.profile) {
    profile = (await cdp.send('Profiler.stop')).profile;
    const file = opts.out.replace(/\.json$/, '') + '-scroll.cpuprofile';
    writeFileSync(file, JSON.stringify(profile));
    console.error(`CPU profile: ${file}`);
  }
  const finalSentinel = await sentinelText(page);
  const problems = page.problems;
  await context.close();

  const during = (e) => e.start >= result.start && e.start <= result.end;
  const tasks = result.longtasks.filter(during);
  const loafs = result.loafs.filter(during);
  const gaps = [];
  for (let i = 1; i < result.frames.length; i++) gaps.push(result.frames[i] - result.frames[i - 1]);
  gaps.sort((a, b) => a - b);
  const seconds = (result.end - result.start) / 1000;
  const out = {
    file: 'grid-10k.parquet',
    pace: opts.pace,
    scroller: opts.scroller,
    layout,
    seconds,
    done: /^All /.test(finalSentinel),
    sentinel: finalSentinel,
    rowsPassed: Math.max(maxRow, result.lastRow),
    scrolledPx: result.scrolled,
    cardsInDom: result.cardsInDom,
    stuckFrames: result.stuckFrames,
    longTasks: {
      count: tasks.length,
      longest: tasks.reduce((m, t) => Math.max(m, t.duration), 0),
      total: tasks.reduce((m, t) => m + t.duration, 0),
      all: tasks.map((t) => ({ at: +((t.start - result.start) / 1000).toFixed(2), ms: Math.round(t.duration), attribution: t.attribution })),
      beforeScroll: result.longtasks.filter((t) => t.start < result.start).map((t) => Math.round(t.duration)),
    },
    longAnimationFrames: {
      count: loafs.length,
      longest: loafs.reduce((m, t) => Math.max(m, t.duration), 0),
      worst: loafs
        .sort((a, b) => b.duration - a.duration)
        .slice(0, 5)
        .map((l) => ({
          ms: Math.round(l.duration),
          blocking: Math.round(l.blocking),
          renderMs: Math.round(l.render),
          styleLayoutMs: Math.round(l.style),
          scripts: l.scripts.map((s) => `${s.invoker} ${s.fn || ''} ${s.url} ${Math.round(s.duration)} ms`),
        })),
    },
    frames: {
      count: result.frames.length,
      fps: result.frames.length / seconds,
      p50: quantile(gaps, 0.5),
      p95: quantile(gaps, 0.95),
      p99: quantile(gaps, 0.99),
      max: gaps[gaps.length - 1] ?? NaN,
      over50: gaps.filter((g) => g > 50).length,
    },
    problems,
  };
  if (profile) out.profileHot = hotFunctions(profile, tasks.map((t) => [t.start - result.start, t.start - result.start + t.duration]));
  return out;
}

/**
 * Functions with the most self time inside the given [start, end] windows (ms since the
 * scroll began; the profile was started within a few ms of it).
 */
function hotFunctions(profile, windows) {
  if (!windows.length) return [];
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i];
    const ms = (t - profile.startTime) / 1000;
    if (!windows.some(([a, b]) => ms >= a && ms <= b)) return;
    const n = nodes.get(id);
    const key = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}`;
    self.set(key, (self.get(key) || 0) + profile.timeDeltas[i] / 1000);
  });
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `${v.toFixed(0)} ms  ${k}`);
}

// ---------------------------------------------------------------------------------------
// 2. Memory after 2,000 large pairs

/**
 * A CDP session to the page's dedicated worker (attached without flattening): call before
 * the page loads, then `await session.ready()` once it has (null when no worker came).
 */
async function workerSession(cdp) {
  let sessionId = null;
  let next = 1;
  const pending = new Map();
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker' && !sessionId) sessionId = e.sessionId;
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const msg = JSON.parse(e.message);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => reject(new Error(`worker ${method} timed out`)), 10_000);
      pending.set(id, (msg) => {
        clearTimeout(timer);
        msg.error ? reject(new Error(msg.error.message)) : resolve(msg.result);
      });
      cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
    });
  return {
    send,
    async ready() {
      for (let i = 0; i < 100 && !sessionId; i++) await sleep(100);
      return sessionId ? this : null;
    },
  };
}

/**
 * Chromium's own account of each process's memory (a memory-infra dump through the
 * browser's CDP session): the top-level allocators (v8, partition_alloc, malloc, skia,
 * blob_storage, discardable, …) in MB, by process kind.
 */
async function allocatorDump(browser) {
  const cdp = await browser.newBrowserCDPSession();
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['disabled-by-default-memory-infra'], memoryDumpConfig: { triggers: [] } },
    transferMode: 'ReportEvents',
  });
  const dumped = await cdp.send('Tracing.requestMemoryDump', { deterministic: true, levelOfDetail: 'detailed' }).catch((e) => ({ success: false, error: e.message }));
  await cdp.send('Tracing.end');
  await complete;
  await cdp.detach().catch(() => {});
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'process_labels') names.set(e.pid, e.args.labels);
    if (e.ph === 'M' && e.name === 'process_name' && !names.has(e.pid)) names.set(e.pid, e.args.name);
  }
  const out = {};
  for (const e of events) {
    const dumps = e.ph === 'v' && e.args?.dumps;
    if (!dumps?.allocators) continue;
    const top = {};
    for (const [name, a] of Object.entries(dumps.allocators)) {
      const size = a.attrs?.size;
      if (!size || size.units !== 'bytes') continue;
      const parts = name.split('/');
      // Top level, and below it the named parts of 5 MB or more (not numbered segments).
      const big = parseInt(size.value, 16) >= 5e6 && parts.length <= 4 && !/0x|segment_|heap_\d|allocated_objects/.test(name);
      if (parts.length === 1 || big) {
        top[name] = Math.round(parseInt(size.value, 16) / 1e5) / 10;
      }
    }
    if (process.env.BENCH_DUMP_DETAIL) {
      const under = Object.entries(dumps.allocators)
        .filter(([n, a]) => n.startsWith(process.env.BENCH_DUMP_DETAIL) && a.attrs?.size)
        .map(([n, a]) => [n, parseInt(a.attrs.size.value, 16), JSON.stringify(a.attrs).slice(0, 300)]);
      under.sort((a, b) => b[1] - a[1]);
      console.error(`${names.get(e.pid)} ${e.pid}: ${under.length} dumps under ${process.env.BENCH_DUMP_DETAIL}`);
      for (const u of under.slice(0, 12)) console.error(`  ${u[0]} ${(u[1] / 1e6).toFixed(2)} MB ${u[2]}`);
    }
    const resident = dumps.process_totals?.resident_set_bytes;
    const key = `${names.get(e.pid) ?? 'process'} ${e.pid}`;
    out[key] = {
      residentMB: resident ? Math.round(parseInt(resident, 16) / 1e6) : null,
      allocators: Object.fromEntries(Object.entries(top).filter(([, v]) => v >= 1).sort((a, b) => b[1] - a[1])),
    };
  }
  if (dumped.success === false) out.error = dumped.error ?? 'dump refused';
  return out;
}

async function memorySnapshot(page, cdp, worker, baseline) {
  const metrics = Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  const dom = await cdp.send('Memory.getDOMCounters').catch(() => ({}));
  const pageInfo = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img, canvas').length,
    imgsWithSrc: document.querySelectorAll('img[src], canvas[data-shown]').length,
    cards: document.querySelectorAll('[data-testid=card]').length,
    pages: document.querySelectorAll('[data-testid=page]').length,
    farPages: document.querySelectorAll('[data-testid=page].far').length,
    // Thumbnail pixels against the pixels they cover (CSS width × device pixel ratio).
    thumbs: (() => {
      const px = (i) => (i.tagName === 'CANVAS' ? [i.width, i.height] : [i.naturalWidth, i.naturalHeight]);
      const shown = [...document.querySelectorAll('[data-testid=card] [data-testid$=-image]')].filter((i) => px(i)[0] > 0 && i.clientWidth > 0);
      const sum = (f) => shown.reduce((s, i) => s + f(i), 0);
      return {
        count: shown.length,
        naturalPx: sum((i) => px(i)[0] * px(i)[1]),
        shownPx: sum((i) => i.clientWidth * i.clientHeight) * devicePixelRatio ** 2,
        naturalWidth: shown[0] ? px(shown[0])[0] : 0,
        shownWidth: (shown[0]?.clientWidth ?? 0) * devicePixelRatio,
      };
    })(),
  }));
  let workerHeap = null;
  if (worker) {
    try {
      workerHeap = await worker.send('Runtime.getHeapUsage');
    } catch {}
  }
  const procs = processes();
  const renderers = procs.filter((p) => p.kind === 'renderer');
  // The tab's renderer: the biggest renderer that was not there, or was small, before the
  // page opened (a spare renderer of about:blank stays small).
  const tab = renderers[0] ?? null;
  const sum = (key, list) => list.reduce((s, p) => s + p[key], 0);
  const browserProc = procs.find((p) => p.kind === 'browser');
  return {
    jsHeapUsed: metrics.JSHeapUsedSize,
    jsHeapTotal: metrics.JSHeapTotalSize,
    nodes: dom.nodes ?? metrics.Nodes,
    listeners: dom.jsEventListeners ?? metrics.JSEventListeners,
    workerHeapUsed: workerHeap?.usedSize ?? null,
    workerHeapTotal: workerHeap?.totalSize ?? null,
    ...pageInfo,
    tab: tab && { pid: tab.pid, pss: tab.pss, rss: tab.rss, private: tab.private, biggestAnon: biggestMappings(tab.pid, 1)[0]?.rss ?? 0 },
    renderers: renderers.map((p) => ({ pid: p.pid, pss: p.pss })),
    browser: browserProc && { pss: browserProc.pss, growth: baseline ? browserProc.pss - baseline.browserPss : 0 },
    gpu: sum('pss', procs.filter((p) => p.kind === 'gpu-process')),
    allPss: sum('pss', procs),
    processes: procs.map((p) => ({ pid: p.pid, kind: p.kind, pss: p.pss })),
  };
}

async function memoryBench(browser, app, dataOrigin, opts) {
  const src = `${dataOrigin}/grid-2k-large.parquet`;
  const fileSize = statSync(path.join(opts.data, 'grid-2k-large.parquet')).size;
  await fetch(`${dataOrigin}/__requests/clear`, { method: 'POST' });
  const before = processes();
  const baseline = { browserPss: before.find((p) => p.kind === 'browser')?.pss ?? 0, allPss: before.reduce((s, p) => s + p.pss, 0) };
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(e.message));
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const attach = await workerSession(cdp);
  const start = Date.now();
  await page.goto(`${app}/?src=${encodeURIComponent(src)}`);
  const workerLate = await attach.ready();
  if (!workerLate) console.error('memory: no CDP session to the worker; its heap is not measured');
  await page.waitForFunction(
    () => {
      const i = document.querySelector('[data-testid=card] [data-testid=source-image]');
      return i && (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0);
    },
    null,
    { timeout: 120_000, polling: 100 },
  );
  const samples = [];
  const seen = new Set();
  let steps = 0;
  const deadline = Date.now() + opts.memoryTimeout * 1000;
  for (;;) {
    // Wait until every card in view shows both thumbnails.
    await page.waitForFunction(
      () => {
        const cards = [...document.querySelectorAll('[data-testid=card]')].filter((c) => {
          const r = c.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight;
        });
        return cards.length > 0 && cards.every((c) => [...c.querySelectorAll('[data-testid$=-image]')].every((i) => (i.tagName === 'CANVAS' ? i.hasAttribute('data-shown') : i.complete && i.naturalWidth > 0)));
      },
      null,
      { timeout: Math.max(1000, deadline - Date.now()), polling: 100 },
    );
    const state = await page.evaluate(() => {
      const el = document.scrollingElement || document.documentElement;
      const rows = [...document.querySelectorAll('[data-testid=card]')]
        .filter((c) => {
          const r = c.getBoundingClientRect();
          return r.bottom > 0 && r.top < innerHeight;
        })
        .map((c) => Number(c.getAttribute('data-row')));
      const end = el.scrollTop + innerHeight >= el.scrollHeight - 2;
      const all = /^All /.test(document.querySelector('.sentinel')?.textContent ?? '');
      if (!(end && all)) window.scrollBy(0, Math.round(innerHeight * 0.9));
      return { rows, end: end && all };
    });
    if (seen.size + state.rows.length >= opts.maxPairs) state.end = true;
    state.rows.forEach((r) => seen.add(r));
    steps += 1;
    if (steps % 5 === 1 || state.end) {
      const snap = await memorySnapshot(page, cdp, workerLate, baseline);
      snap.pairs = seen.size;
      snap.seconds = (Date.now() - start) / 1000;
      samples.push(snap);
      process.stderr.write(`\rmemory: ${seen.size} pairs shown, ${Math.round(snap.seconds)} s, tab ${fmt(mb(snap.tab?.pss ?? 0), 0)} MB, page heap ${fmt(mb(snap.jsHeapUsed), 0)} MB, worker heap ${fmt(mb(snap.workerHeapUsed ?? NaN), 0)} MB   `);
    }
    if (state.end) break;
    if (Date.now() > deadline) throw new Error(`memory: only ${seen.size} pairs shown in ${opts.memoryTimeout} s`);
    // Let the scroll's observers run before the next wait.
    await sleep(150);
  }
  process.stderr.write('\n');
  const final = samples[samples.length - 1];
  await sleep(2000);
  const settled = await memorySnapshot(page, cdp, workerLate, baseline);
  const allocatorsBeforeGc = await allocatorDump(page.context().browser()).catch((e) => ({ error: e.message }));
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  let workerGc = 'no worker session';
  if (workerLate) {
    workerGc = await workerLate
      .send('HeapProfiler.enable')
      .then(() => workerLate.send('HeapProfiler.collectGarbage'))
      .then(() => 'done', (e) => e.message);
  }
  await sleep(2000);
  const afterGc = await memorySnapshot(page, cdp, workerLate, baseline);
  const allocators = await allocatorDump(page.context().browser()).catch((e) => ({ error: e.message }));
  const mappings = afterGc.tab ? biggestMappings(afterGc.tab.pid) : [];
  // What the browser gives back when the system asks for memory (caches of decoded images,
  // discardable memory): a critical memory-pressure signal, as the OS sends when low.
  await cdp.send('Memory.simulatePressureNotification', { level: 'critical' }).catch(() => {});
  await sleep(2000);
  const afterPressure = await memorySnapshot(page, cdp, workerLate, baseline);
  const allocatorsAfterPressure = await allocatorDump(page.context().browser()).catch((e) => ({ error: e.message }));
  const requests = await (await fetch(`${dataOrigin}/__requests`)).json().catch(() => []);
  const fetched = requests.reduce((s, r) => s + (r.body_bytes || 0), 0);
  const problems = page.problems;
  await context.close();
  const peak = (f) => samples.reduce((m, s) => Math.max(m, f(s) ?? 0), 0);
  return {
    file: 'grid-2k-large.parquet',
    fileSize,
    fetched,
    requests: requests.length,
    pairsShown: seen.size,
    steps,
    seconds: final.seconds,
    baseline,
    peak: {
      tabPss: peak((s) => s.tab?.pss),
      tabRss: peak((s) => s.tab?.rss),
      jsHeapUsed: peak((s) => s.jsHeapUsed),
      workerHeapUsed: peak((s) => s.workerHeapUsed),
      nodes: peak((s) => s.nodes),
      imgs: peak((s) => s.imgs),
      browserGrowth: peak((s) => s.browser?.growth),
      allPss: peak((s) => s.allPss),
    },
    final: settled,
    afterGc,
    afterPressure,
    mappings,
    workerGc,
    allocatorsBeforeGc,
    allocators,
    allocatorsAfterPressure,
    samples: samples.map((s) => ({
      pairs: s.pairs,
      seconds: Math.round(s.seconds),
      tabPss: Math.round(mb(s.tab?.pss ?? 0)),
      biggestAnon: Math.round(mb(s.tab?.biggestAnon ?? 0)),
      jsHeapUsed: Math.round(mb(s.jsHeapUsed)),
      workerHeapUsed: s.workerHeapUsed == null ? null : Math.round(mb(s.workerHeapUsed)),
      nodes: s.nodes,
      imgs: s.imgs,
      browserGrowth: Math.round(mb(s.browser?.growth ?? 0)),
      allPss: Math.round(mb(s.allPss)),
    })),
    problems,
  };
}

// ---------------------------------------------------------------------------------------
// Report

function reportScroll(r) {
  const lt = r.longTasks;
  console.log(`\n## Scroll: ${r.file}, ${r.pace} px/s by ${r.scroller === "wheel" ? "wheel events" : "scrollBy in animation frames"} (${r.layout.columns} cards a row, cards ${Math.round(r.layout.cardHeight)} px high)\n`);
  console.log(
    table([
      ['measure', 'value', 'goal', 'ratio'],
      ['rows passed', `${r.rowsPassed + 1} of 10000${r.done ? '' : ' (not at the end)'}`, '10000', ''],
      ['time scrolling', `${fmt(r.seconds)} s`, '', ''],
      ['distance', `${Math.round(r.scrolledPx)} px`, '', ''],
      ['long tasks > 50 ms', String(lt.count), '0', ''],
      ['longest task', `${fmt(lt.longest, 0)} ms`, `≤ ${GOAL_TASK_MS} ms`, `${fmt(lt.longest / GOAL_TASK_MS, 2)}`],
      ['time in long tasks', `${fmt(lt.total, 0)} ms`, '', ''],
      ['long animation frames', `${r.longAnimationFrames.count} (longest ${fmt(r.longAnimationFrames.longest, 0)} ms)`, '', ''],
      ['frames', `${r.frames.count} (${fmt(r.frames.fps)} /s)`, '', ''],
      ['frame gap p50 / p95 / p99', `${fmt(r.frames.p50)} / ${fmt(r.frames.p95)} / ${fmt(r.frames.p99)} ms`, '', ''],
      ['frame gap max, gaps > 50 ms', `${fmt(r.frames.max)} ms, ${r.frames.over50}`, '', ''],
      ['frames stuck at the bottom', String(r.stuckFrames), '', ''],
    ]),
  );
  if (lt.count) console.log(`\nlong tasks (s into the scroll: ms): ${lt.all.slice(0, 30).map((t) => `${t.at}: ${t.ms}`).join(', ')}`);
  if (lt.beforeScroll.length) console.log(`long tasks while loading (before the scroll): ${lt.beforeScroll.join(', ')} ms`);
  for (const l of r.longAnimationFrames.worst) {
    console.log(`long frame ${l.ms} ms (blocking ${l.blocking}, style+layout ${l.styleLayoutMs}, render ${l.renderMs}): ${l.scripts.join('; ') || 'no script'}`);
  }
  if (r.profileHot) console.log(`\nself time inside long tasks:\n  ${r.profileHot.join('\n  ')}`);
}

function reportMemory(r) {
  const f = r.final;
  const g = r.afterGc;
  const p = r.peak;
  console.log(`\n## Memory: ${r.file} (${fmt(mb(r.fileSize), 0)} MB), ${r.pairsShown} pairs shown in ${fmt(r.seconds, 0)} s, ${r.steps} screens\n`);
  const row = (name, fn, digits = 0) => [name, fmt(fn(p, 'peak'), digits), fmt(fn(f), digits), fmt(fn(g), digits)];
  console.log(
    table([
      ['measure (MB unless said)', 'peak', 'final', 'after GC'],
      row('tab: renderer Pss', (s, k) => mb(k ? s.tabPss : s.tab?.pss ?? 0)),
      row('tab: renderer Rss', (s, k) => mb(k ? s.tabRss : s.tab?.rss ?? 0)),
      row('  page JS heap used', (s) => mb(s.jsHeapUsed)),
      ['  page JS heap total', '', fmt(mb(f.jsHeapTotal), 0), fmt(mb(g.jsHeapTotal), 0)],
      row('  worker JS heap used', (s) => (s.workerHeapUsed == null ? NaN : mb(s.workerHeapUsed))),
      ['  worker JS heap total', '', fmt(f.workerHeapTotal == null ? NaN : mb(f.workerHeapTotal), 0), fmt(g.workerHeapTotal == null ? NaN : mb(g.workerHeapTotal), 0)],
      row('DOM nodes (count)', (s) => s.nodes),
      row('<img> and <canvas> elements (count)', (s) => s.imgs),
      ['cards in the DOM (count)', '', String(f.cards), String(g.cards)],
      ['pages, of which far (count)', '', `${f.pages}, ${f.farPages}`, `${g.pages}, ${g.farPages}`],
      row('browser process growth', (s, k) => mb(k ? s.browserGrowth : s.browser?.growth ?? 0)),
      ['gpu process Pss', '', fmt(mb(f.gpu), 0), fmt(mb(g.gpu), 0)],
      row('all browser processes Pss', (s) => mb(s.allPss)),
    ]),
  );
  const tab = Math.max(mb(f.tab?.pss ?? 0), mb(g.tab?.pss ?? 0));
  console.log(`\nthe tab's memory after ${r.pairsShown} pairs: ${fmt(mb(f.tab?.pss ?? 0), 0)} MB (peak ${fmt(mb(p.tabPss), 0)} MB, after GC ${fmt(mb(g.tab?.pss ?? 0), 0)} MB); goal ≤ ${GOAL_MEMORY_MB} MB: ratio ${fmt(Math.max(tab, mb(p.tabPss)) / GOAL_MEMORY_MB, 2)} (peak or final, the larger)`);
  console.log(`renderers (pid: Pss MB): ${f.renderers.map((x) => `${x.pid}: ${fmt(mb(x.pss), 0)}`).join(', ')}`);
  console.log(`fetched from the data server: ${fmt(mb(r.fetched), 0)} MB in ${r.requests} requests (${fmt((100 * r.fetched) / r.fileSize, 0)}% of the file)`);
  console.log(`forced GC of the worker: ${r.workerGc}`);
  if (r.mappings?.length) console.log(`largest mappings of the tab's renderer (MB size/rss/pss): ${r.mappings.map((m) => `${m.name} ${fmt(mb(m.size), 0)}/${fmt(mb(m.rss), 0)}/${fmt(mb(m.pss), 0)}`).join(', ')}`);
  const th = f.thumbs;
  if (th?.count) console.log(`thumbnails in view: ${th.count}, ${fmt(th.naturalPx / th.shownPx, 2)} × the device pixels they cover (e.g. ${th.naturalWidth} px wide shown over ${fmt(th.shownWidth, 0)})`);
  if (r.afterPressure) console.log(`after a critical memory-pressure signal: tab ${fmt(mb(r.afterPressure.tab?.pss ?? 0), 0)} MB`);
  for (const [when, dump] of [['before GC', r.allocatorsBeforeGc], ['after GC', r.allocators], ['after memory pressure', r.allocatorsAfterPressure]]) {
    for (const [proc, d] of Object.entries(dump ?? {})) {
      if (proc === 'error') console.log(`memory dump ${when}: ${d}`);
      else if (proc.includes(String(r.final.tab?.pid))) console.log(`Chromium's allocators in the tab's renderer ${when} (MB): ${Object.entries(d.allocators).slice(0, 16).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }
  console.log(`samples (pairs: tab Pss / largest mapping's Rss (the worker's WebAssembly memory) / page heap / worker heap / nodes / imgs / browser growth MB):`);
  console.log('  ' + r.samples.map((s) => `${s.pairs}: ${s.tabPss}/${s.biggestAnon}/${s.jsHeapUsed}/${s.workerHeapUsed ?? '–'}/${s.nodes}/${s.imgs}/${s.browserGrowth}`).join(', '));
}

// ---------------------------------------------------------------------------------------

async function main() {
  const opts = options(process.argv.slice(2));
  if (!existsSync(path.join(opts.dist, 'index.html'))) throw new Error(`${opts.dist}/index.html is missing: build the app first`);
  const want = (name) => !opts.only || opts.only === name;
  for (const [name, file] of [['scroll', 'grid-10k.parquet'], ['memory', 'grid-2k-large.parquet']]) {
    if (want(name) && !existsSync(path.join(opts.data, file))) throw new Error(`${opts.data}/${file} is missing: python3 tests/bench/make_grid_dataset.py ${opts.data}`);
  }
  const info = machine();
  console.log(`machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGB} GB; ${info.chromium}; node ${info.node}; load average ${info.load}`);
  const results = { date: new Date().toISOString(), machine: info, dist: opts.dist };
  const app = await serve(opts.dist, false);
  const data = await serve(opts.data, true);
  try {
    if (want('scroll')) {
      const browser = await launch();
      try {
        results.scroll = await scrollBench(browser, app, data, opts);
      } finally {
        await browser.close();
      }
      reportScroll(results.scroll);
    }
    if (want('memory')) {
      // A browser of its own, so its processes are this tab's and the browser's alone;
      // driven without Playwright, which makes Chromium keep every response body (see
      // cdp_pipe.mjs), unless --playwright asks for the old way.
      const browser = opts.playwright ? await launch() : await launchRaw({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
      try {
        results.memory = await memoryBench(browser, app, data, opts);
      } finally {
        await browser.close();
      }
      reportMemory(results.memory);
    }
  } finally {
    stopServers();
  }
  writeFileSync(opts.out, JSON.stringify(results, null, 1));
  console.log(`\nresults: ${opts.out}`);
  const problems = [...(results.scroll?.problems ?? []), ...(results.memory?.problems ?? [])];
  if (problems.length) console.log(`page errors: ${problems.slice(0, 5).join(' | ')}`);
}

process.on('SIGINT', () => {
  stopServers();
  process.exit(130);
});
main().catch((e) => {
  stopServers();
  console.error(e.stack || e.message);
  process.exit(1);
});
