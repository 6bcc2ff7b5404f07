// The spec's client examples, run as written against a real gateway process on real Redis: the
// Python `websockets` client, the Go `gorilla/websocket` client, and the browser code (log stream
// with sub-protocol auth, and the ReconnectingWebSocket class) in headless Chromium.
//
// Logs are published through the bus as collectors publish them, mixed with alerts and metrics:
// each client must print exactly the logs its filter asks for, in order, and nothing else — the
// Python and Go examples read every frame on /ws/logs as a log.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisBus } from '../../shared/bus/index.ts';
import { CHROMIUM_PATH, launchChromium } from '../support/chromium.ts';
import { LineWatcher, watchProcess } from '../support/line-watcher.ts';
import { type FeedResult, SPEC_SOURCE, feedLogClient } from '../support/log-feed.ts';
import { runs, skipWithout } from '../support/missing-tool.ts';
import { ROOT, type RunningGateway, randomPrefix, startGateway } from '../support/processes.ts';
import { freePort } from '../support/redis-server.ts';
import { serveFiles } from '../support/static-files.ts';

const PYTHON = '/usr/bin/python3';
const GORILLA_SRC = '/usr/share/gocode/src/github.com/gorilla/websocket';
/** Long and distinctive, so "the key never appears in a handshake header" cannot pass by luck. */
const API_KEY = `spec-clients-${randomPrefix()}`;
const LOG_LINE = /^\[[a-z]+\] /;

const noPython = skipWithout(`${PYTHON} with websockets (Debian: python3-websockets)`, runs(PYTHON, ['-c', 'import websockets']));
const noGo = skipWithout('go and gorilla/websocket (Debian: golang-go, golang-github-gorilla-websocket-dev)', runs('go', ['version']) && existsSync(GORILLA_SRC));
const noChromium = skipWithout(`${CHROMIUM_PATH} (Debian: chromium)`, existsSync(CHROMIUM_PATH));

/**
 * The client printed at least `total` logs: warm-up logs, then exactly the matching logs in publish
 * order (the example programs stop at `total`; a browser page goes on until the test stops feeding).
 */
function expectDelivered({ received, warmups, expected }: FeedResult, total: number): void {
  expect(received.length, 'the client printed fewer logs than it was fed').toBeGreaterThanOrEqual(total);
  expect(warmups, 'no warm-up log reached the client').toBeGreaterThan(0);
  expect(received.slice(warmups)).toEqual(expected.slice(0, received.length - warmups));
}

/** Chromium with one page, its console lines (and uncaught errors) in a watcher, and the browser clients served. */
async function openBrowserClient() {
  const browser = await launchChromium();
  const pages = await serveFiles(join(ROOT, 'test/clients/browser'));
  const close = async (): Promise<void> => {
    await browser.close();
    await pages.close();
  };
  try {
    const page = await browser.context.newPage();
    const watcher = new LineWatcher();
    page.on('console', (message) => watcher.push(message.text()));
    page.on('pageerror', (error) => watcher.push(`page error: ${error.message}`));
    return { browser, page, watcher, url: pages.url, close };
  } catch (err) {
    await close();
    throw err;
  }
}

describe('the spec\'s client examples against a gateway', () => {
  const redisUrl = inject('redisUrl');
  const prefix = randomPrefix();
  let gateway: RunningGateway;
  let bus: RedisBus;
  const scratch = mkdtempSync(join(tmpdir(), 'licmon-spec-clients-'));

  beforeAll(async () => {
    gateway = await startGateway({ REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY });
    bus = await new RedisBus({ url: redisUrl, prefix }).connect();
  });

  afterAll(async () => {
    await bus?.close();
    await gateway?.kill();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Run an example program with the gateway's address and key in its environment. */
  function runClient(command: string, args: string[], env: Record<string, string> = {}) {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, LICMON_URL: gateway.wsUrl, LICMON_API_KEY: API_KEY, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watched = watchProcess(child);
    return {
      ...watched,
      stop: () => child.kill('SIGKILL'),
      /** Its exit code; one still running after a while is killed, so a hang fails with its output. */
      async exitCode(): Promise<number | string> {
        await watched.watcher.waitFor(() => false, 10_000);
        child.kill('SIGKILL');
        return watched.exited;
      },
    };
  }

  it.skipIf(noPython)('Python (websockets): subscribes to errors and prints only error logs, in order', async () => {
    const total = 12;
    const { watcher, exitCode, stop } = runClient(PYTHON, ['test/clients/python/stream_logs.py', String(total)], { PYTHONUNBUFFERED: '1' });
    try {
      const result = await feedLogClient({
        bus, tag: `py-${prefix}`, watcher, total,
        logLine: (line) => (LOG_LINE.test(line) ? line : undefined),
        wants: (log) => log.level === 'error',
      });
      // A frame that is not a log (no 'level') would have crashed it with a KeyError.
      expect(await exitCode(), watcher.tail()).toBe(0);
      expect(watcher.lines.filter((line) => !LOG_LINE.test(line)), 'output other than logs').toEqual([]);
      expectDelivered(result, total);
    } finally {
      stop();
    }
  });

  it.skipIf(noGo)('Go (gorilla/websocket): subscribes to errors and warnings and prints only those logs, in order', async () => {
    const binary = join(scratch, 'stream-logs');
    // Offline against Debian's gorilla/websocket (go.mod replaces it with /usr/share/gocode).
    const cacheless = !process.env.GOCACHE && !process.env.XDG_CACHE_HOME && !process.env.HOME;
    await promisify(execFile)('go', ['build', '-o', binary, '.'], {
      cwd: join(ROOT, 'test/clients/go'),
      env: { ...process.env, GOPROXY: 'off', GOFLAGS: '-mod=mod', ...(cacheless ? { GOCACHE: join(scratch, 'go-cache') } : {}) },
    });
    const total = 16;
    const { watcher, exitCode, stop } = runClient(binary, [String(total)]);
    // Go's logger writes "2006/01/02 15:04:05 " before each line.
    const logLine = (line: string) => {
      const text = line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '');
      return LOG_LINE.test(text) ? text : undefined;
    };
    try {
      const result = await feedLogClient({
        bus, tag: `go-${prefix}`, watcher, total, logLine,
        wants: (log) => log.level === 'error' || log.level === 'warn',
      });
      expect(await exitCode(), watcher.tail()).toBe(0);
      // A frame that is not a log would print as "[%!s(<nil>)] %!s(<nil>)".
      expect(watcher.lines.filter((line) => logLine(line) === undefined), 'output other than logs').toEqual([]);
      expectDelivered(result, total);
    } finally {
      stop();
    }
  });

  it.skipIf(noChromium)('browser: sub-protocol auth selects "api_key", and the filtered log stream arrives', async () => {
    const { browser, page, watcher, url, close } = await openBrowserClient();
    try {
      // Chromium's own view of the wire: the handshake's response headers and every frame received.
      const cdp = await browser.context.newCDPSession(page);
      await cdp.send('Network.enable');
      const handshakeHeaders: Array<Record<string, string>> = [];
      const frames: string[] = [];
      cdp.on('Network.webSocketHandshakeResponseReceived', (event) => handshakeHeaders.push(event.response.headers));
      cdp.on('Network.webSocketFrameReceived', (event) => frames.push(event.response.payloadData));

      await page.goto(`${url}/log-stream.html?gateway=${encodeURIComponent(gateway.wsUrl)}&key=${API_KEY}`);
      const opened = await watcher.waitFor((lines) => lines.includes('Connected to log stream'), 15_000);
      expect(opened, watcher.tail()).toBe(true);
      expect(await page.evaluate('ws.protocol')).toBe('api_key');

      const total = 10;
      const result = await feedLogClient({
        bus, tag: `web-${prefix}`, watcher, total,
        logLine: (line) => (LOG_LINE.test(line) ? line : undefined),
        wants: (log) => (log.level === 'error' || log.level === 'warn') && log.source === SPEC_SOURCE,
      });
      expectDelivered(result, total);
      expect(watcher.lines.filter((line) => !LOG_LINE.test(line)), 'no close, error or other output').toEqual(['Connected to log stream']);

      expect(handshakeHeaders).toHaveLength(1);
      const headers = Object.entries(handshakeHeaders[0]!);
      expect(headers.filter(([name]) => name.toLowerCase() === 'sec-websocket-protocol').map(([, value]) => value)).toEqual(['api_key']);
      expect(headers.filter(([, value]) => value.includes(API_KEY)), 'the key echoed in a header').toEqual([]);
      expect(frames.map((frame) => (JSON.parse(frame) as { type: unknown }).type).filter((type) => type !== 'log')).toEqual([]);
    } finally {
      await close();
    }
  }, 90_000);

  it.skipIf(noChromium)('browser: the spec\'s ReconnectingWebSocket reconnects after its gateway restarts', async () => {
    // A gateway of its own, restarted on the same port, so the other tests' gateway stays up. The
    // port is chosen up front: a port the kernel picked (PORT=0) cannot be bound again while the
    // last connections linger in TIME_WAIT, an explicitly chosen one can.
    const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, API_KEYS: API_KEY, PORT: String(await freePort()) };
    let own = await startGateway(env);
    const { page, watcher, url, close } = await openBrowserClient();
    try {
      const connections = () => watcher.lines.filter((line) => line === 'Connected').length;

      await page.goto(`${url}/reconnecting.html?gateway=${encodeURIComponent(own.wsUrl)}&key=${API_KEY}`);
      expect(await watcher.waitFor(() => connections() === 1, 15_000), watcher.tail()).toBe(true);

      // SIGTERM closes clients with 1012 (not 1000), which the class answers by reconnecting.
      own.signal('SIGTERM');
      expect(await own.exited).toBe(0);
      expect(await watcher.waitFor((lines) => lines.includes('Reconnecting in 200ms...'), 15_000), watcher.tail()).toBe(true);

      own = await startGateway(env);
      expect(await watcher.waitFor(() => connections() === 2, 30_000), watcher.tail()).toBe(true);
      expect(await page.evaluate('[rws.ws.readyState, rws.retries]')).toEqual([1, 0]);
      expect(watcher.lines.filter((line) => line.startsWith('page error') || line === 'Max retries exceeded')).toEqual([]);
    } finally {
      await close();
      await own.kill();
    }
  }, 90_000);
});
