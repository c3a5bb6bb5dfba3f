#!/usr/bin/env node
// Runs the end-to-end tests against the release build in dist/.
//
//   node tests/e2e/run.mjs [--test-name-pattern=REGEX] [file.test.mjs ...]
//
// Starts three origins with the release command line (target/release/gallery):
//   APP_URL      gallery serve dist                                the built app
//   DATA_URL     gallery serve tests/fixtures --cors               a second origin with data
//   NORANGE_URL  gallery serve tests/fixtures --cors --ignore-range a server that ignores Range
//   HUB_URL      gallery hub-standin                                a stand-in of the Hugging Face Hub,
//   HUB_CDN_URL                                                     with its CDN on a second origin
//   SUBPATH_URL  gallery serve target/subpath                       the app built for /gallery/ (make
//                                                                   dist-subpath), when it was built
// then runs every tests/e2e/*.test.mjs with node's test runner, one file at a time, each
// test under a time limit; a failing test leaves screenshots in tests/e2e/out/. The servers
// are stopped at the end, also on failure or interruption. Exits non-zero on any failure.
//
// Environment: GALLERY_BIN (the command line, default target/release/gallery), DIST_DIR
// (default dist), SUBPATH_ROOT (default target/subpath), CHROMIUM (default /usr/bin/chromium),
// E2E_TEST_TIMEOUT (ms per test, default 60000), E2E_TOTAL_TIMEOUT (ms for the whole run,
// default 1200000).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const E2E_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(E2E_DIR, '..', '..');
const OUT_DIR = path.join(E2E_DIR, 'out');
const TARGET_DIR = process.env.CARGO_TARGET_DIR
  ? path.resolve(ROOT, process.env.CARGO_TARGET_DIR)
  : path.join(ROOT, 'target');
const GALLERY = process.env.GALLERY_BIN || path.join(TARGET_DIR, 'release', 'gallery');
const DIST_DIR = path.resolve(ROOT, process.env.DIST_DIR || 'dist');
const FIXTURES_DIR = path.join(ROOT, 'tests', 'fixtures');
const TEST_TIMEOUT = Number(process.env.E2E_TEST_TIMEOUT || 60_000);
const TOTAL_TIMEOUT = Number(process.env.E2E_TOTAL_TIMEOUT || 20 * 60_000);
const HOST = '127.0.0.1';

function die(message) {
  console.error(`e2e: ${message}`);
  process.exit(2);
}

if (!existsSync(GALLERY)) die(`${path.relative(ROOT, GALLERY)} not found: run cargo build --release --bin gallery`);
if (!existsSync(path.join(DIST_DIR, 'index.html'))) die(`${path.relative(ROOT, DIST_DIR)}/index.html not found: run make build`);
if (!existsSync(FIXTURES_DIR)) die('tests/fixtures not found');

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });

// ---------------------------------------------------------------------------------------
// Servers

const children = new Set();
let stopping = false;

function stopAll() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  }
}

process.on('exit', stopAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`e2e: ${signal}, stopping`);
    stopAll();
    process.exit(130);
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function start(name, args) {
  const log = createWriteStream(path.join(OUT_DIR, `server-${name}.log`));
  const child = spawn(GALLERY, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (!stopping) {
      console.error(`e2e: server ${name} exited (${signal ?? code}); see tests/e2e/out/server-${name}.log`);
    }
  });
  return child;
}

async function waitForServer(name, child, origin, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      die(`server ${name} (${origin}) exited before answering; see tests/e2e/out/server-${name}.log`);
    }
    try {
      const res = await fetch(`${origin}/__requests`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) {
        await res.arrayBuffer();
        return;
      }
      last = `status ${res.status}`;
    } catch (e) {
      last = e.cause?.code || e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  die(`server ${name} did not answer at ${origin}/__requests within ${timeout} ms (${last})`);
}

const [appPort, dataPort, norangePort, hubPort, cdnPort] = await Promise.all([
  freePort(), freePort(), freePort(), freePort(), freePort(),
]);
// The build for a sub-path (`make dist-subpath`), served from the folder holding `gallery/`.
const SUBPATH_ROOT = path.resolve(ROOT, process.env.SUBPATH_ROOT || path.join(TARGET_DIR, 'subpath'));
const subpathPort = existsSync(path.join(SUBPATH_ROOT, 'gallery', 'index.html')) ? await freePort() : null;
// The Hub stand-in's datasets: the built demo (else the fixtures), the same gated, and
// the fixtures (files named as no ScaleEdit folder).
const HUB_DEMO = existsSync(path.join(DIST_DIR, 'demo', 'manifest.json')) ? path.join(DIST_DIR, 'demo') : FIXTURES_DIR;
const servers = {
  app: { port: appPort, args: ['serve', DIST_DIR, '--host', HOST, '--port', String(appPort), '--quiet'] },
  data: {
    port: dataPort,
    args: ['serve', FIXTURES_DIR, '--host', HOST, '--port', String(dataPort), '--cors', '--quiet'],
  },
  norange: {
    port: norangePort,
    args: ['serve', FIXTURES_DIR, '--host', HOST, '--port', String(norangePort), '--cors', '--ignore-range', '--quiet'],
  },
  hub: {
    port: hubPort,
    args: [
      'hub-standin', '--host', HOST, '--port', String(hubPort), '--cdn-port', String(cdnPort),
      '--repo', `demo/scaleedit=${HUB_DEMO}`, '--repo', `demo/gated=${HUB_DEMO}`, '--gated', 'demo/gated',
      '--repo', `test/fixtures=${FIXTURES_DIR}`, '--token', 'hf_e2e_token', '--page-size', '5', '--quiet',
    ],
  },
};
if (subpathPort) {
  servers.subpath = { port: subpathPort, args: ['serve', SUBPATH_ROOT, '--host', HOST, '--port', String(subpathPort), '--quiet'] };
}
for (const [name, s] of Object.entries(servers)) {
  s.origin = `http://${HOST}:${s.port}`;
  s.child = start(name, s.args);
}
await Promise.all(Object.entries(servers).map(([name, s]) => waitForServer(name, s.child, s.origin)));
console.log(
  `e2e: app ${servers.app.origin}/  data ${servers.data.origin}/  no-range ${servers.norange.origin}/`,
);

// ---------------------------------------------------------------------------------------
// Tests

const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const chosen = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = chosen.length
  ? chosen.map((f) => path.resolve(f))
  : readdirSync(E2E_DIR)
      .filter((f) => f.endsWith('.test.mjs'))
      .sort()
      .map((f) => path.join(E2E_DIR, f));
if (!files.length) die('no tests/e2e/*.test.mjs');

const runner = spawn(
  process.execPath,
  [
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    ...passThrough,
    ...files,
  ],
  {
    cwd: E2E_DIR,
    stdio: 'inherit',
    env: {
      ...process.env,
      APP_URL: servers.app.origin,
      DATA_URL: servers.data.origin,
      NORANGE_URL: servers.norange.origin,
      HUB_URL: servers.hub.origin,
      HUB_CDN_URL: `http://${HOST}:${cdnPort}`,
      ...(servers.subpath ? { SUBPATH_URL: servers.subpath.origin } : {}),
      DIST_DIR,
      E2E_TEST_TIMEOUT: String(TEST_TIMEOUT),
    },
  },
);
children.add(runner);

const overall = setTimeout(() => {
  console.error(`e2e: the whole run exceeded ${TOTAL_TIMEOUT} ms, stopping`);
  runner.kill('SIGTERM');
}, TOTAL_TIMEOUT);

const code = await new Promise((resolve) => {
  runner.on('exit', (code, signal) => resolve(signal ? 1 : code ?? 1));
});
clearTimeout(overall);
children.delete(runner);

stopping = true;
stopAll();
if (code !== 0) {
  const shots = readdirSync(OUT_DIR).filter((f) => f.endsWith('.png'));
  if (shots.length) console.error(`e2e: screenshots in tests/e2e/out/: ${shots.join(', ')}`);
}
process.exit(code);
