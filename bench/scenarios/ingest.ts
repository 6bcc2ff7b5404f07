// Ingest (issue 10 §5): what reading license servers costs, apart from the gateways' fan-out.
// - latency: a real (compiled) collector tails a real debug log and a real gateway serves a client; lines are
//   appended at a steady rate and each one's time from the write to its frame at the client is
//   measured (all in this process's clock: the writer and the client are both here);
// - the debug-log parser's throughput, in this process, on a generated log of the usual mix;
// - the collector's CPU per poll of an `lmstat -a` with many features and checkouts (parsing,
//   metrics, alert rules, the publisher's validation; lmutil's own process is not counted), and so
//   how many such servers one collector core keeps up with at a 60 s poll.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { parseFarmConfig } from '../../collector/farm/load-farm-config.ts';
import { StatusReader } from '../../collector/license/status-reader.ts';
import { UnparsedLines } from '../../collector/license/unparsed-lines.ts';
import { DebugLogParser } from '../../collector/parsers/debuglog.ts';
import { licenseServerSource } from '../../collector/sources/license-server-source.ts';
import type { ToolRunner } from '../../collector/tools/tool-runner.ts';
import { validateStreamMessage } from '../../collector/validate-message.ts';
import { createLogger } from '../../shared/logger.ts';
import { FAKE_BIN_DIR } from '../../test/fixtures/fixtures.ts';
import { randomPrefix, startGateway, startProcess } from '../../test/support/processes.ts';
import type { RedisServer } from '../../test/support/redis-server.ts';
import { TestClient } from '../../test/support/ws-client.ts';
import type { Cleanup } from '../cleanup.ts';
import { pinToCore, SERVER_CORE } from '../proc-stats.ts';
import { percentile } from '../stats.ts';
import { lmstatText } from '../workload/lmstat-text.ts';

export interface IngestProfile {
  /** Debug-log lines per parser run (best of three runs). */
  readonly parserLines: number;
  /** Polls measured (after one to warm up). */
  readonly polls: number;
  readonly features: number;
  readonly checkouts: number;
  /** Lines appended per second to the tailed log. */
  readonly rate: number;
  /** How long lines are appended first, not measured (the collector's and gateway's code warms up). */
  readonly warmupMs: number;
  /** How long lines are then appended and measured. */
  readonly latencyMs: number;
}

export interface IngestResult {
  readonly parser: { readonly lines: number; readonly linesPerSecond: number };
  readonly poll: {
    readonly features: number;
    readonly checkouts: number;
    readonly bytes: number;
    readonly polls: number;
    readonly cpuMsPerPoll: number;
    /** 60 s of one core divided by the CPU of a poll. */
    readonly serversAt60s: number;
  };
  readonly latency: {
    readonly rate: number;
    readonly written: number;
    readonly received: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
  };
}

export interface IngestContext {
  readonly redis: RedisServer;
  readonly cleanup: Cleanup;
  readonly pin: boolean;
  readonly log: (line: string) => void;
  /** Wait (within the run's budget) until other work on the machine is quiet. */
  readonly quiet: () => Promise<unknown>;
}

const API_KEY = 'bench-key';
const SITE = 'bench';

export async function runIngest(ctx: IngestContext, profile: IngestProfile): Promise<IngestResult> {
  await ctx.quiet();
  const parser = measureParser(profile.parserLines);
  ctx.log(`  parser: ${Math.round(parser.linesPerSecond).toLocaleString('en')} lines/s`);
  const poll = await measurePoll(profile);
  ctx.log(`  poll of ${profile.features} features / ${profile.checkouts} checkouts: ${poll.cpuMsPerPoll.toFixed(1)} ms CPU`);
  const latency = await measureLatency(ctx, profile);
  ctx.log(`  line → frame at ${profile.rate}/s: p50 ${latency.p50Ms.toFixed(1)} ms, p99 ${latency.p99Ms.toFixed(1)} ms`);
  return { parser, poll, latency };
}

/** A debug log of the usual mix: checkouts and checkins, some denials (one wrapped), date lines. */
function debugLogLines(count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; lines.length < count; i++) {
    const time = `${10 + Math.floor(i / 3600) % 12}:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
    const who = `user${i % 500}@ws-${String(i % 300).padStart(3, '0')}`;
    if (i % 1000 === 0) lines.push(`${time} (lmgrd) TIMESTAMP 12/5/2026`);
    else if (i % 20 === 0) lines.push(`${time} (adskflex) DENIED: "Maya_Complete" ${who}  (Licensed number of users already reached. (-4,342))`);
    else if (i % 97 === 0) lines.push(`${time} (adskflex) DENIED: "Maya_Complete" ${who}  (User/host not on INCLUDE list for`, '    feature. (-39,147))');
    else lines.push(`${time} (adskflex) ${i % 2 ? 'OUT' : 'IN'}: "feature_${i % 40}" ${who}`);
  }
  return lines.slice(0, count);
}

function measureParser(count: number): IngestResult['parser'] {
  const lines = debugLogLines(count);
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const parser = new DebugLogParser({ timeZone: 'UTC' });
    const started = performance.now();
    for (const line of lines) parser.push(line);
    parser.flush();
    best = Math.min(best, performance.now() - started);
  }
  return { lines: count, linesPerSecond: (count / best) * 1000 };
}

async function measurePoll(profile: IngestProfile): Promise<IngestResult['poll']> {
  const text = lmstatText(profile.features, profile.checkouts);
  // lmutil answers at once from memory: only the collector's own work is measured.
  const tools: ToolRunner = { run: async (_command, args) => ({ stdout: args[1] === '-a' ? text : '', stderr: '', exitCode: 0 }) };
  const farm = parseFarmConfig(JSON.stringify({ sites: { [SITE]: { timezone: 'UTC', servers: [{ id: 'lic-bench', kind: 'flexlm', address: '27000@lic-bench' }] } } }), 'bench farm');
  const logger = createLogger('bench', 'silent');
  const source = licenseServerSource(farm.servers[0]!, {
    reader: new StatusReader(tools),
    alerts: new AlertEngine(new MemoryAlertState()),
    rules: farm.alerts,
    unparsed: new UnparsedLines(logger),
    logger,
  });
  const pollOnce = async () => {
    for (const message of await source.poll(new AbortController().signal)) if (!validateStreamMessage(message).ok) throw new Error('the poll made an invalid message');
  };
  await pollOnce();
  const before = process.cpuUsage();
  for (let i = 0; i < profile.polls; i++) await pollOnce();
  const used = process.cpuUsage(before);
  const cpuMsPerPoll = (used.user + used.system) / 1000 / profile.polls;
  return { features: profile.features, checkouts: profile.checkouts, bytes: text.length, polls: profile.polls, cpuMsPerPoll, serversAt60s: Math.floor(60_000 / cpuMsPerPoll) };
}

async function measureLatency(ctx: IngestContext, profile: IngestProfile): Promise<IngestResult['latency']> {
  const dir = mkdtempSync(join(tmpdir(), 'licmon-bench-ingest-'));
  const cleanDir = ctx.cleanup.add('ingest bench directory', async () => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'lmgrd.log');
  const farm = join(dir, 'farm.yaml');
  writeFileSync(log, '');
  writeFileSync(farm, `defaults:\n  pollInterval: 1h\n  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}\nsites:\n  ${SITE}:\n    timezone: UTC\n    servers:\n      - { id: lic-bench, kind: flexlm, address: "27000@lic-bench", debugLog: "${log}" }\n`);
  const env = { REDIS_URL: ctx.redis.url, REDIS_KEY_PREFIX: `bench${randomPrefix()}` };
  // The compiled processes, as deployed (`npm run bench` builds dist/ first when stale).
  const gateway = await startGateway({ ...env, API_KEYS: API_KEY, DRAIN_DELAY_MS: '0' }, [], 'dist/gateway/main.js');
  const gatewayDone = ctx.cleanup.add(`ingest gateway ${gateway.pid}`, () => gateway.kill());
  const collector = startProcess('dist/collector/main.js', { ...env, FARM_CONFIG: farm, COLLECTOR_TAIL_LOGS: 'all', HOST_METRICS_INTERVAL_MS: '0' });
  const collectorDone = ctx.cleanup.add(`ingest collector ${collector.pid}`, () => collector.kill());
  let client: TestClient | undefined;
  try {
    if (ctx.pin) for (const pid of [gateway.pid, collector.pid]) pinToCore(pid, SERVER_CORE);
    await collector.waitForLog((l) => l.msg === 'debug log lease taken', 60_000);
    await ctx.quiet();
    client = await TestClient.connect(`${gateway.wsUrl}/ws/logs?api_key=${API_KEY}`);
    const arrived = new Map<string, number>();
    client.ws.on('message', (data) => {
      const user = /"user":"(b\d+)"/.exec(String(data))?.[1];
      if (user) arrived.set(user, performance.now());
    });
    client.send({ action: 'subscribe', filter: { source: 'license-server' } });
    // Actions are handled in order: the pong says the subscription is in place.
    client.send({ action: 'ping' });
    await client.next((m) => m.type === 'pong', 0, 30_000);

    const written = new Map<string, number>();
    const perTick = Math.max(1, Math.round(profile.rate / 100));
    const warmup = Math.round((profile.rate * profile.warmupMs) / 1000);
    const total = warmup + Math.round((profile.rate * profile.latencyMs) / 1000);
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        let text = '';
        const names: string[] = [];
        for (let i = 0; i < perTick && written.size + names.length < total; i++) {
          const name = `b${written.size + names.length}`;
          names.push(name);
          text += `10:00:00 (adskflex) OUT: "Maya_Complete" ${name}@ws-1\n`;
        }
        appendFileSync(log, text);
        const at = performance.now();
        for (const name of names) written.set(name, at);
        if (written.size >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    // Lines that never arrive are reported (received < written), not an error.
    await client.waitUntil(() => arrived.size >= total, 30_000, `${total} lines at the client`).catch(() => undefined);
    const measured = [...written].slice(warmup);
    const latencies = measured.flatMap(([name, at]) => (arrived.has(name) ? [arrived.get(name)! - at] : []));
    return {
      rate: profile.rate,
      written: measured.length,
      received: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
    };
  } finally {
    client?.close();
    await collector.kill();
    collectorDone();
    await gateway.kill();
    gatewayDone();
    await cleanDir();
  }
}
