// No event lost at the ingest edge (issue 10 §3): real collector processes tail a real debug log
// that the test appends to, on real Redis. Every line is an OUT event with a unique user, and the
// site's history (what every client replays) must hold each exactly once, in order, across a
// kill -9 mid-stream, a rotation while no collector ran, a copytruncate while none ran, and two
// collectors eligible for the one log (one reads; the other takes over when it is killed).
import { appendFileSync, copyFileSync, mkdtempSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { Redis } from 'ioredis';
import { BusKeys, parseStreamId, RedisBus, type StreamId } from '../../shared/bus/index.ts';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { randomPrefix, startProcess, type RunningProcess } from '../support/processes.ts';

const SITE = 'ingest';
const LEASE_MS = 2000;
const WAIT_MS = 60_000;
const dir = mkdtempSync(join(tmpdir(), 'licmon-ingest-'));
const running: RunningProcess[] = [];
let redis: Redis;
let prefix: string;
let log: string;
let server: string;
let next = 0;

beforeAll(async () => {
  redis = new Redis(inject('redisUrl'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.kill()));
});

afterAll(async () => {
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh farm (its own key prefix and log file) with one server whose debug log is `log`. */
function freshFarm(name: string): string {
  prefix = randomPrefix();
  log = join(dir, `${name}.log`);
  server = `lic-${name}`;
  writeFileSync(log, '');
  const farm = join(dir, `${name}.yaml`);
  writeFileSync(farm, `defaults:
  pollInterval: 1h
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
sites:
  ${SITE}:
    timezone: UTC
    servers:
      - { id: ${server}, kind: flexlm, address: "27000@${server}", debugLog: "${log}" }
`);
  return farm;
}

/** The compiled collector (built by the global setup): it starts in a fraction of tsx's time. */
function startCollector(farm: string): RunningProcess {
  const proc = startProcess('dist/collector/main.js', {
    REDIS_URL: inject('redisUrl'),
    REDIS_KEY_PREFIX: prefix,
    FARM_CONFIG: farm,
    COLLECTOR_TAIL_LOGS: 'all',
    COLLECTOR_LOCK_MS: String(LEASE_MS),
    HOST_METRICS_INTERVAL_MS: '0',
  });
  running.push(proc);
  return proc;
}

/** A collector that holds the log's lease and has caught up with the file. */
async function readingCollector(farm: string): Promise<RunningProcess> {
  const proc = startCollector(farm);
  await proc.waitForLog((l) => l.msg === 'debug log lease taken', WAIT_MS);
  return proc;
}

/** The log's date line, written once a collector reads. A date far from today: lines read after a resume are dated by it only if the checkpoint carried it. */
const dateLine = () => appendFileSync(log, ' 9:00:00 (lmgrd) TIMESTAMP 1/15/2024\n');

/** Append `count` checkout lines, one user each (u1, u2, …, numbered across the whole test). */
function writeLines(count: number, path = log): void {
  let text = '';
  for (let i = 0; i < count; i++) text += `10:00:00 (adskflex) OUT: "Maya_Complete" u${++next}@ws-1\n`;
  appendFileSync(path, text);
}

/** Append lines in small bursts on a timer, as a license server does, until stopped. */
function steadyWriter(perTick: number): { stop: () => void } {
  const timer = setInterval(() => writeLines(perTick), 10);
  return { stop: () => clearInterval(timer) };
}

interface Published {
  user: string;
  timestamp: string;
}

/** Every log event in the site's history (the stream clients replay), oldest first. */
async function published(): Promise<Published[]> {
  const reader = new RedisBus({ url: inject('redisUrl'), prefix });
  try {
    await reader.connect();
    const all: Published[] = [];
    let after: StreamId | undefined;
    for (;;) {
      const page = await reader.readHistory(SITE, after, 1000);
      for (const entry of page.entries) {
        const message = JSON.parse(entry.json) as { id: string; timestamp: string; metadata: { user?: string } };
        if (message.metadata.user) all.push({ user: message.metadata.user, timestamp: message.timestamp });
      }
      if (page.entries.length < 1000) return all;
      const last = JSON.parse(page.entries.at(-1)!.json) as { id: string };
      after = parseStreamId(last.id);
    }
  } finally {
    await reader.close();
  }
}

/** Wait until the history holds at least `count` events (checked every 100 ms against a deadline). */
async function waitForPublished(count: number): Promise<Published[]> {
  const deadline = Date.now() + WAIT_MS;
  let seen = await published();
  while (seen.length < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events, ${seen.length} published`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling Redis: no event announces a count
    seen = await published();
  }
  return seen;
}

/** Wait until the log's stored checkpoint is at the file's end: the collector read and recorded all of it. */
async function waitForCheckpointAtEnd(): Promise<void> {
  const key = new BusKeys(prefix).inputCheckpoint(SITE, `debuglog:${server}`);
  const size = statSync(log).size;
  const deadline = Date.now() + WAIT_MS;
  const offset = async () => (JSON.parse((await redis.get(key)) ?? '{"offset":-1}') as { offset: number }).offset;
  while ((await offset()) !== size) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the checkpoint at ${size}, it is at ${await offset()}`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // polling Redis: the collector announces no commit
  }
}

/** Exactly users `from`..`to`, once each, in order, dated by the log's TIMESTAMP line. */
function expectExactly(events: Published[], from: number, to: number): void {
  const expected = Array.from({ length: to - from + 1 }, (_, i) => `u${from + i}`);
  const users = events.map((e) => e.user);
  const repeated = users.filter((u, i) => users.indexOf(u) !== i);
  const lost = expected.filter((u) => !users.includes(u));
  expect({ repeated, lost }).toEqual({ repeated: [], lost: [] });
  expect(users).toEqual(expected);
  expect(events.filter((e) => !e.timestamp.startsWith('2024-01-15T10:00:00')), 'dated by the TIMESTAMP line').toEqual([]);
}

describe('debug-log ingest across collector restarts', () => {
  it('loses and repeats no line when the collector is killed with SIGKILL mid-stream and started again', async () => {
    const farm = freshFarm('kill');
    const first = next + 1;
    const a = await readingCollector(farm);
    dateLine();
    const writer = steadyWriter(2);
    await waitForPublished(150);
    await a.kill(); // mid-stream: the writer keeps going while no collector runs
    const atKill = (await published()).length;
    writeLines(50);
    const b = await readingCollector(farm);
    await waitForPublished(atKill + 100);
    writer.stop();
    writeLines(20);
    const last = next;
    expectExactly(await waitForPublished(last - first + 1), first, last);
    expect(b.output.some((l) => l.includes('resumed at its checkpoint'))).toBe(true);
  }, 120_000);

  it('reads the rotated file\'s unread tail, then the new file, when the log was rotated while no collector ran', async () => {
    const farm = freshFarm('rotate');
    const first = next + 1;
    const a = await readingCollector(farm);
    dateLine();
    writeLines(100);
    await waitForPublished(100);
    await waitForCheckpointAtEnd();
    await a.kill();
    writeLines(40); // the tail nobody read yet
    renameSync(log, `${log}.1`);
    writeFileSync(log, '');
    writeLines(60);
    const b = await readingCollector(farm);
    const last = next;
    expectExactly(await waitForPublished(last - first + 1), first, last);
    await b.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('debug log was rotated while not tailed'), WAIT_MS);
  }, 120_000);

  it('starts the log again from its start, with a warning, after a copytruncate while no collector ran', async () => {
    const farm = freshFarm('copytruncate');
    const first = next + 1;
    const a = await readingCollector(farm);
    dateLine();
    writeLines(100);
    await waitForPublished(100);
    await waitForCheckpointAtEnd();
    await a.kill();
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    dateLine();
    writeLines(30);
    const b = await readingCollector(farm);
    const last = next;
    expectExactly(await waitForPublished(last - first + 1), first, last);
    const warning = await b.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('shorter than its checkpoint'), WAIT_MS);
    expect(warning.level).toBe(40);
  }, 120_000);

  it('lets only one of two eligible collectors publish the log, and the other take over when it is killed', async () => {
    const farm = freshFarm('two');
    const first = next + 1;
    const collectors = [startCollector(farm), startCollector(farm)];
    const holder = await Promise.race(collectors.map((c) => c.waitForLog((l) => l.msg === 'debug log lease taken', WAIT_MS).then(() => c)));
    const other = collectors.find((c) => c !== holder)!;
    dateLine();
    const writer = steadyWriter(2);
    await waitForPublished(150);
    expect(other.output.some((l) => l.includes('debug log lease taken')), 'the second collector waits').toBe(false);
    await holder.kill();
    await other.waitForLog((l) => l.msg === 'debug log lease taken', WAIT_MS);
    const atTakeover = (await published()).length;
    await waitForPublished(atTakeover + 100);
    writer.stop();
    writeLines(20);
    const last = next;
    expectExactly(await waitForPublished(last - first + 1), first, last);
  }, 120_000);
});
