// `npm run bench:wait [-- --sequential N] [--burst N] [--rounds R] [--benchmarks]`: what
// PUBLISH_WAIT_REPLICAS=1 costs a collector's publishes, on a private master and one replica
// (redis-server on loopback). Two buses on the same master, one without WAIT and one with it,
// measured in the same run and interleaved so that both see the same load on a shared machine:
// - sequential: one publish at a time (each awaited), its latency p50/p99;
// - burst: N publishes handed over at once, as a backlog is, then in chunks of 100 per event-loop
//   turn, as many sources publish; messages per second until the last is answered, and how many
//   WAITs the master ran for it (INFO commandstats), which is what the batching saves.
// With --benchmarks the figures replace the `wait` section of BENCHMARKS.md.
import { Redis } from 'ioredis';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { replaceSection } from '../scripts/marked-sections.ts';
import { RedisBus } from '../shared/bus/index.ts';
import type { LogMessage } from '../shared/protocol/index.ts';
import { ReplicatedRedis } from '../test/support/redis-replication.ts';
import { count, ms, times } from './format.ts';
import { percentile } from './stats.ts';

const { values } = parseArgs({ options: { sequential: { type: 'string', default: '2000' }, burst: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' }, benchmarks: { type: 'boolean', default: false } } });
const SEQUENTIAL = Number(values.sequential);
const BURST = Number(values.burst);
const ROUNDS = Number(values.rounds);
const CHUNKS = [BURST, 100];
const TIMEOUT_MS = 1000;

const log = (i: number): LogMessage => ({ type: 'log', timestamp: new Date().toISOString(), level: 'info', message: `Checked out feature MATLAB by user${i % 50}@host${i % 20} (${i})`, source: 'lmgrd', site: 'berlin' });

interface Side {
  readonly name: 'off' | 'WAIT 1';
  readonly bus: RedisBus;
  latencies: number[];
  /** Per burst chunk size: messages per second of each round, and WAITs run per round. */
  readonly bursts: Map<number, { rates: number[]; waits: number[] }>;
  underReplicated: number;
}

async function waitCalls(master: Redis): Promise<number> {
  return Number(/cmdstat_wait:calls=(\d+)/.exec(await master.info('commandstats'))?.[1] ?? 0);
}

async function publish(side: Side, i: number): Promise<void> {
  if ((await side.bus.publish(log(i))).underReplicated) side.underReplicated++;
}

async function burst(side: Side, master: Redis, chunk: number): Promise<void> {
  const before = await waitCalls(master);
  const started = performance.now();
  const sent: Array<Promise<void>> = [];
  for (let i = 0; i < BURST; i++) {
    if (i > 0 && i % chunk === 0) await new Promise((resolve) => setImmediate(resolve));
    sent.push(publish(side, i));
  }
  await Promise.all(sent);
  const seconds = (performance.now() - started) / 1000;
  const figures = side.bursts.get(chunk) ?? { rates: [], waits: [] };
  figures.rates.push(BURST / seconds);
  figures.waits.push((await waitCalls(master)) - before);
  side.bursts.set(chunk, figures);
}

async function measure(sides: readonly Side[], master: Redis): Promise<void> {
  for (let i = 0; i < 200; i++) for (const side of sides) await publish(side, i); // warm-up: JIT, scripts loaded
  for (let i = 0; i < SEQUENTIAL; i++) {
    for (const side of sides) {
      const started = performance.now();
      await publish(side, i);
      side.latencies.push(performance.now() - started);
    }
  }
  // Which side bursts first alternates: the second inherits the first's garbage to collect.
  for (let round = 0; round < ROUNDS; round++) {
    for (const chunk of CHUNKS) for (const side of round % 2 ? [...sides].reverse() : sides) await burst(side, master, chunk);
  }
}

const median = (xs: readonly number[]) => percentile(xs, 50);

function report(off: Side, on: Side, run: { startedAt: string; version: string }): string[] {
  const p = (side: Side, q: number) => percentile(side.latencies, q);
  const lines = [
    `Publishing with PUBLISH_WAIT_REPLICAS=1 against without (${run.startedAt} UTC, load ${loadavg()[0]!.toFixed(1)}; one master and one replica, redis-server ${run.version} on loopback, WAIT timeout ${TIMEOUT_MS} ms):`,
    '',
    '| | without WAIT | WAIT 1 | WAIT 1 / without |',
    '|---|---|---|---|',
    `| sequential publish, p50 (${count(SEQUENTIAL)} each) | ${ms(p(off, 50))} | ${ms(p(on, 50))} | ${times(p(on, 50) / p(off, 50))} |`,
    `| sequential publish, p99 | ${ms(p(off, 99))} | ${ms(p(on, 99))} | ${times(p(on, 99) / p(off, 99))} |`,
  ];
  for (const chunk of CHUNKS) {
    const [a, b] = [off, on].map((s) => s.bursts.get(chunk)!);
    const how = chunk >= BURST ? 'handed over at once' : `${chunk} per event-loop turn`;
    const rate = (n: number) => Math.round(n).toLocaleString('en-US');
    lines.push(`| burst of ${count(BURST)}, ${how}: messages/s (median of ${ROUNDS}) | ${rate(median(a!.rates))} | ${rate(median(b!.rates))} | ${times(median(b!.rates) / median(a!.rates))} |`);
    lines.push(`| — WAITs the master ran per burst | ${median(a!.waits)} | ${median(b!.waits)} | |`);
  }
  lines.push('', `Under-replicated (WAIT timed out): ${on.underReplicated} of the WAIT side's publishes.`);
  return lines;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString().slice(0, 16);
  const redis = await ReplicatedRedis.start(1);
  const master = new Redis(redis.master.url);
  const side = async (name: Side['name'], prefix: string, wait: boolean): Promise<Side> => ({
    name,
    bus: await new RedisBus({ url: redis.master.url, prefix, historyLength: 10_000, ...(wait ? { waitReplicas: { replicas: 1, timeoutMs: TIMEOUT_MS } } : {}) }).connect(),
    latencies: [],
    bursts: new Map(),
    underReplicated: 0,
  });
  try {
    const version = /redis_version:(\S+)/.exec(await master.info('server'))?.[1] ?? '?';
    const sides = [await side('off', 'off', false), await side('WAIT 1', 'wait', true)];
    try {
      await measure(sides, master);
    } finally {
      await Promise.all(sides.map((s) => s.bus.close()));
    }
    const lines = report(sides[0]!, sides[1]!, { startedAt, version });
    process.stdout.write(`${lines.join('\n')}\n`);
    if (values.benchmarks) {
      const path = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));
      const body = ['## Publishing with PUBLISH_WAIT_REPLICAS', '', `\`npm run bench:wait\` (bench/publish-wait.ts), not part of \`npm run bench\`, which keeps this section.`, '', ...lines].join('\n');
      writeFileSync(path, replaceSection(existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n', 'wait', body));
      console.log('bench:wait: BENCHMARKS.md written');
    }
  } finally {
    master.disconnect();
    await redis.dispose();
  }
}

await main();
