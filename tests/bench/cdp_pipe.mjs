// Chromium driven over the DevTools protocol on a pipe, with nothing enabled but what the
// caller asks for: the memory benchmark's browser.
//
// Why not Playwright here: Playwright enables the Network domain on every page and worker
// it attaches to, and Chromium then keeps the body of every response (up to 200 MB) so
// that DevTools could show it. The gallery's worker reads hundreds of MB of images through
// fetch, so under Playwright the tab's renderer holds ~200 MB of response bodies the app
// never sees. This client sends only the commands below.
//
// It offers the few calls of Playwright's API that grid.mjs's memory run makes:
// browser.newContext({viewport}) → context.addInitScript(fn), context.newPage(),
// context.newCDPSession(page), context.close(); page.goto(url), page.evaluate(fn, arg),
// page.waitForFunction(fn, arg, {timeout, polling}), page.on('pageerror', f),
// page.context(); browser.newBrowserCDPSession(), browser.close().

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Connection {
  constructor(child) {
    this.child = child;
    this.next = 1;
    this.pending = new Map();
    this.listeners = new Map(); // `${sessionId}|${method}` → Set of functions
    this.out = child.stdio[3];
    let buffered = '';
    child.stdio[4].on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let end;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        this.dispatch(JSON.parse(text));
      }
    });
  }

  dispatch(msg) {
    if (msg.id && this.pending.has(msg.id)) {
      const { resolve, reject, method } = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
      else resolve(msg.result);
      return;
    }
    const key = `${msg.sessionId ?? ''}|${msg.method}`;
    for (const f of [...(this.listeners.get(key) ?? [])]) f(msg.params);
  }

  send(method, params = {}, sessionId) {
    const id = this.next++;
    const message = { id, method, params, ...(sessionId ? { sessionId } : {}) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.out.write(JSON.stringify(message) + '\0');
    });
  }

  on(sessionId, method, f) {
    const key = `${sessionId ?? ''}|${method}`;
    if (!this.listeners.has(key)) this.listeners.set(key, new Set());
    this.listeners.get(key).add(f);
  }

  off(sessionId, method, f) {
    this.listeners.get(`${sessionId ?? ''}|${method}`)?.delete(f);
  }
}

/** A CDP session (the browser's when `sessionId` is empty) with Playwright's shape. */
function session(conn, sessionId) {
  return {
    send: (method, params) => conn.send(method, params, sessionId),
    on: (method, f) => conn.on(sessionId, method, f),
    once(method, f) {
      const g = (p) => {
        conn.off(sessionId, method, g);
        f(p);
      };
      conn.on(sessionId, method, g);
    },
    detach: async () => {
      if (sessionId) await conn.send('Target.detachFromTarget', { sessionId }).catch(() => {});
    },
  };
}

/** Launch Chromium (`executablePath`, `args`) with its DevTools protocol on a pipe. */
export async function launchRaw({ executablePath, args }) {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'gallery-bench-profile-'));
  const child = spawn(executablePath, [...args, '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'],
  });
  const conn = new Connection(child);
  await conn.send('Browser.getVersion');
  const browser = {
    newBrowserCDPSession: async () => session(conn, undefined),
    async close() {
      await conn.send('Browser.close').catch(() => {});
      await new Promise((r) => (child.exitCode != null ? r() : child.once('exit', r)));
      rmSync(profile, { recursive: true, force: true });
    },
    async newContext({ viewport }) {
      const { browserContextId } = await conn.send('Target.createBrowserContext', { disposeOnDetach: true });
      const scripts = [];
      const context = {
        browser: () => browser,
        addInitScript: async (fn) => scripts.push(`(${fn})()`),
        newCDPSession: async (page) => page.cdp,
        close: () => conn.send('Target.disposeBrowserContext', { browserContextId }).catch(() => {}),
        async newPage() {
          const { targetId } = await conn.send('Target.createTarget', { url: 'about:blank', browserContextId });
          const { sessionId } = await conn.send('Target.attachToTarget', { targetId, flatten: true });
          const cdp = session(conn, sessionId);
          await cdp.send('Page.enable');
          await cdp.send('Runtime.enable');
          await cdp.send('Emulation.setDeviceMetricsOverride', { width: viewport.width, height: viewport.height, deviceScaleFactor: 1, mobile: false });
          for (const source of scripts) await cdp.send('Page.addScriptToEvaluateOnNewDocument', { source });
          const errors = new Set();
          cdp.on('Runtime.exceptionThrown', (e) => {
            const error = new Error(e.exceptionDetails.exception?.description ?? e.exceptionDetails.text);
            for (const f of errors) f(error);
          });
          const evaluate = async (fn, arg) => {
            const expression = `(${fn})(${arg === undefined ? '' : JSON.stringify(arg)})`;
            const r = await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
            if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
            return r.result.value;
          };
          return {
            cdp,
            context: () => context,
            on: (event, f) => event === 'pageerror' && errors.add(f),
            async goto(url) {
              const loaded = new Promise((r) => cdp.once('Page.loadEventFired', r));
              await cdp.send('Page.navigate', { url });
              await loaded;
            },
            evaluate,
            async waitForFunction(fn, arg, { timeout = 30_000, polling = 100 } = {}) {
              const deadline = Date.now() + timeout;
              for (;;) {
                if (await evaluate(fn, arg)) return;
                if (Date.now() > deadline) throw new Error(`waitForFunction: not true within ${timeout} ms`);
                await sleep(polling);
              }
            },
          };
        },
      };
      return context;
    },
  };
  return browser;
}
