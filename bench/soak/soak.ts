// The soak (issue 13 §3): gateways and a collector on a simulated farm, each on its own Redis, run
// for a long time under churning clients (churning-clients.ts). Every sample it reads memory after a
// forced GC and event-loop delay of each process, and Redis's memory, stream lengths and keys; at
// the end it fits a least-squares line through each series after warm-up and fails if one rises
// beyond its bound (trend.ts), if a client saw an id out of order or an error it did not ask
// for, or if a process died.
import { loadavg } from 'node:os';
import { RedisServer } from '../../test/support/redis-server.ts';
import { startGateway, startProcess } from '../../test/support/processes.ts';
import type { Cleanup } from '../cleanup.ts';
import { stopProcess } from '../systems/launch.ts';
import { ChurningClients, type ClientTally } from './churning-clients.ts';
import { INSPECT_ARGS, ProcessProbe, type ProcessSample } from './process-probe.ts';
import { RedisProbe, type RedisSample } from './redis-probe.ts';
import { trendOf, type Bound, type Trend } from './trend.ts';

export interface SoakOptions {
  readonly minutes: number;
  readonly warmupMinutes: number;
  readonly sampleSeconds: number;
  readonly gateways: number;
  readonly clients: number;
  /** Mean seconds between one client's actions. */
  readonly actEverySeconds: number;
  /** Simulated log events per second across the farm (SIM_RATE). */
  readonly simRate: number;
  /** Entries kept per site stream (HISTORY_LENGTH): small, so trimming runs from the first minutes. */
  readonly historyLength: number;
}

export interface Sample {
  /** Minutes since the clients started. */
  readonly minute: number;
  /** The machine's 1-minute load average: how much other work shared it. */
  readonly loadAverage: number;
  readonly gateways: readonly ProcessSample[];
  readonly collector: ProcessSample;
  readonly redis: RedisSample;
  /** What the clients did since the previous sample. */
  readonly clients: { readonly frames: number; readonly connects: number; readonly resumes: number; readonly filterChanges: number; readonly intervalChanges: number };
}

export interface SeriesVerdict extends Trend {
  readonly name: string;
  readonly unit: string;
}

export interface SoakReport {
  readonly options: SoakOptions;
  readonly samples: readonly Sample[];
  readonly verdicts: readonly SeriesVerdict[];
  readonly tally: { readonly frames: number; readonly connects: number; readonly resumes: number; readonly filterChanges: number; readonly intervalChanges: number; readonly outOfOrder: number; readonly outOfOrderExamples: readonly string[]; readonly replayedBehind: number; readonly truncated: number; readonly errors: Record<string, number> };
  /** Why the soak failed; empty when it passed. */
  readonly failures: readonly string[];
}

const API_KEY = 'soak-key';
const SITES = ['berlin', 'austin', 'pune'];
const SERVERS_PER_SITE = 3;
const MB = 1024 * 1024;

/** The bounds every series is judged by: the fitted rise over the measured window may not pass the larger of floor and share × mean. */
export const BOUNDS = {
  rss: { floor: 16, share: 0.1 },
  heap: { floor: 8, share: 0.1 },
  lag: { floor: 100, share: 1 },
  redisMemory: { floor: 8, share: 0.1 },
  streamEntries: { floor: 1000, share: 0.1 },
  keys: { floor: 50, share: 0.1 },
} as const satisfies Record<string, Bound>;

interface Series {
  readonly name: string;
  readonly unit: string;
  readonly bound: Bound;
  readonly value: (s: Sample) => number;
}

function seriesOf(gateways: number): Series[] {
  const processSeries = (name: string, of: (s: Sample) => ProcessSample): Series[] => [
    { name: `${name} RSS`, unit: 'MB', bound: BOUNDS.rss, value: (s) => of(s).rssBytes / MB },
    { name: `${name} heap`, unit: 'MB', bound: BOUNDS.heap, value: (s) => of(s).heapUsedBytes / MB },
    { name: `${name} event-loop p99`, unit: 'ms', bound: BOUNDS.lag, value: (s) => of(s).lagP99Ms },
  ];
  return [
    ...Array.from({ length: gateways }, (_, i) => processSeries(`gateway ${i + 1}`, (s) => s.gateways[i]!)).flat(),
    ...processSeries('collector', (s) => s.collector),
    { name: 'Redis memory', unit: 'MB', bound: BOUNDS.redisMemory, value: (s) => s.redis.usedMemoryBytes / MB },
    { name: 'stream entries', unit: '', bound: BOUNDS.streamEntries, value: (s) => s.redis.streamEntries },
    { name: 'Redis keys', unit: '', bound: BOUNDS.keys, value: (s) => s.redis.keys },
  ];
}

export function simulatedSources(): string[] {
  return SITES.flatMap((site) => Array.from({ length: SERVERS_PER_SITE }, (_, i) => `flexlm-${site}-${String(i + 1).padStart(2, '0')}`));
}

export async function runSoak(options: SoakOptions, cleanup: Cleanup, log: (line: string) => void): Promise<SoakReport> {
  const redis = await RedisServer.start();
  cleanup.add('soak redis', () => redis.dispose());
  const collector = startProcess('dist/collector/main.js', {
    REDIS_URL: redis.url,
    SIM_SITES: SITES.join(','),
    SIM_SERVERS_PER_SITE: String(SERVERS_PER_SITE),
    SIM_RATE: String(options.simRate),
    SIM_METRICS_INTERVAL_MS: '1000',
    HISTORY_LENGTH: String(options.historyLength),
  }, [], INSPECT_ARGS);
  cleanup.add('soak collector', () => stopProcess(collector));
  const collectorPort = (await collector.waitForLog((l) => l.msg === 'collector http listening')).port as number;
  const gateways = [];
  for (let i = 0; i < options.gateways; i++) {
    const gateway = await startGateway({ REDIS_URL: redis.url, API_KEYS: API_KEY, MAX_CONNECTIONS_PER_KEY: '0', DRAIN_DELAY_MS: '0' }, INSPECT_ARGS, 'dist/gateway/main.js');
    cleanup.add(`soak gateway ${i + 1}`, () => stopProcess(gateway));
    gateways.push(gateway);
  }
  const processes = [collector, ...gateways];
  const died: string[] = [];
  processes.forEach((proc, i) => void proc.exited.then((code) => died.push(`${i === 0 ? 'the collector' : `gateway ${i}`} exited (${code})`)));

  const gatewayProbes = await Promise.all(gateways.map((g) => ProcessProbe.attach(g, `${g.httpUrl}/metrics`)));
  const collectorProbe = await ProcessProbe.attach(collector, `http://127.0.0.1:${collectorPort}/metrics`);
  const redisProbe = new RedisProbe(redis.url);
  cleanup.add('soak probes', async () => [...gatewayProbes, collectorProbe, redisProbe].forEach((p) => p.close()));

  const clients = new ChurningClients({ gateways: gateways.map((g) => g.wsUrl), apiKey: API_KEY, count: options.clients, sites: SITES, sources: simulatedSources(), actEverySeconds: options.actEverySeconds });
  cleanup.add('soak clients', async () => clients.stop());
  const series = seriesOf(options.gateways);
  log(`soak: ${options.minutes} min (warm-up ${options.warmupMinutes}), ${options.gateways} gateways, ${options.clients} clients acting every ~${options.actEverySeconds} s, ${options.simRate} events/s, history ${options.historyLength} per site, a sample every ${options.sampleSeconds} s`);
  log(`  ${['min', ...series.map((s) => s.name + (s.unit ? ` (${s.unit})` : '')), 'frames', 'connects'].join(' | ')}`);

  const started = performance.now();
  await clients.start(Math.min(10_000, options.sampleSeconds * 1000));
  const samples: Sample[] = [];
  let previous = { ...clients.tally };
  const end = started + options.minutes * 60_000;
  for (let next = started + options.sampleSeconds * 1000; next <= end + 1 && died.length === 0; next += options.sampleSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
    const [gatewaySamples, collectorSample, redisSample] = await Promise.all([Promise.all(gatewayProbes.map((p) => p.sample())), collectorProbe.sample(), redisProbe.sample()]);
    const t = clients.tally;
    const sample: Sample = {
      minute: (performance.now() - started) / 60_000,
      loadAverage: loadavg()[0]!,
      gateways: gatewaySamples,
      collector: collectorSample,
      redis: redisSample,
      clients: { frames: t.frames - previous.frames, connects: t.connects - previous.connects, resumes: t.resumes - previous.resumes, filterChanges: t.filterChanges - previous.filterChanges, intervalChanges: t.intervalChanges - previous.intervalChanges },
    };
    previous = { ...t };
    samples.push(sample);
    log(`  ${[sample.minute.toFixed(1), ...series.map((s) => s.value(sample).toFixed(s.unit === '' ? 0 : 1)), String(sample.clients.frames), String(sample.clients.connects)].join(' | ')}`);
  }
  clients.stop();
  return judge(options, samples, clients.tally, died);
}

/** The report of a run: each series' trend after warm-up, and every reason to fail. */
export function judge(options: SoakOptions, samples: readonly Sample[], tally: ClientTally, died: readonly string[]): SoakReport {
  const series = seriesOf(options.gateways);
  const measured = samples.filter((s) => s.minute >= options.warmupMinutes);
  const minutes = measured.map((s) => s.minute);
  const verdicts = series.map((s) => ({ name: s.name, unit: s.unit, ...trendOf(minutes, measured.map(s.value), s.bound) }));
  const failures: string[] = [...died];
  if (measured.length < 3) failures.push(`only ${measured.length} samples after warm-up: too few to fit a trend`);
  for (const v of verdicts) if (!v.ok) failures.push(`${v.name} trends up: +${v.rise.toFixed(1)} ${v.unit} over the window (${v.slopePerHour.toFixed(2)} ${v.unit}/h), more than the ${v.allowed.toFixed(1)} allowed`);
  if (tally.outOfOrder > 0) failures.push(`${tally.outOfOrder} ids out of order (repeated or going back within a stream), e.g. ${tally.outOfOrderExamples.join('; ')}`);
  if (tally.errors.size > 0) failures.push(`clients got errors or closes they did not ask for: ${[...tally.errors].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  const silent = samples.filter((s) => s.clients.frames === 0);
  if (silent.length > 0) failures.push(`clients received nothing in ${silent.length} sample intervals`);
  const { errors, ...counts } = tally;
  return { options, samples, verdicts, tally: { ...counts, errors: Object.fromEntries(errors) }, failures };
}
