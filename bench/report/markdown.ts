// BENCHMARKS.md, written by the run: the ratios as the headline, then the targets, how it was
// measured, the tables, and the gateway's hottest functions when it was profiled.
import * as f from '../format.ts';
import { succeeded, type BenchResults } from '../harness.ts';
import { SYSTEM_LABELS } from '../systems/system.ts';
import type { HotFunction } from './cpu-profile.ts';
import { renderMarkdown, scenarioTables } from './tables.ts';
import { bottleneck, checkTargets } from './targets.ts';

function headline(results: BenchResults): string[] {
  const gateway = succeeded(results.fanOut.gateway);
  if (!gateway) return ['- The gateway was not measured in fan-out by this run.'];
  const lines: string[] = [];
  const g = gateway.saturation.delivered;
  const ceiling = succeeded(results.fanOut.ceiling);
  const lowerBound = gateway.saturation.reached ? '' : ' (it never saturated: a lower bound)';
  if (ceiling) lines.push(`- **${f.percent(g / ceiling.saturation.delivered)} of the ceiling**: this gateway delivered ${f.count(g)} frames/s${lowerBound} with filters on and Redis in the path; a bare uWS.js app sending pre-serialized frames to every client, no Redis, delivered ${f.count(ceiling.saturation.delivered)}/s (target ≥ 70%).`);
  for (const [id, goal] of [['ws-ioredis', 15], ['socketio-redis', 20]] as const) {
    const peer = succeeded(results.fanOut[id]);
    if (peer) lines.push(`- **${f.times(g / peer.saturation.delivered)} the ${SYSTEM_LABELS[id].replace('peer: ', '')} peer** (${f.count(peer.saturation.delivered)}/s; target ≥ ${goal}×).`);
  }
  lines.push(`- Latency publish→client at half saturation: p50 ${f.ms(gateway.latency.p50Ms)}, p99 ${f.ms(gateway.latency.p99Ms)}, p99.9 ${f.ms(gateway.latency.p999Ms)}.`);
  const scale = succeeded(results.scale.gateway);
  if (scale) lines.push(`- ${f.bytes(scale.bytesPerConnection)} of gateway memory per idle connection (${scale.opened} connections).`);
  lines.push(`- At saturation ${bottleneck(gateway)}.`);
  const ingest = succeeded(results.ingest);
  if (ingest) lines.push(`- Ingest: a debug-log line reaches a client in p50 ${f.ms(ingest.latency.p50Ms)}, p99 ${f.ms(ingest.latency.p99Ms)} at ${f.count(ingest.latency.rate)} lines/s; the parser reads ${f.count(ingest.parser.linesPerSecond)} lines/s; a poll of ${ingest.poll.features} features and ${f.count(ingest.poll.checkouts)} checkouts costs ${f.ms(ingest.poll.cpuMsPerPoll)} of collector CPU, so one collector core keeps up with about ${f.count(ingest.poll.serversAt60s)} such servers at a 60 s poll.`);
  return lines;
}

/** Cores other processes kept busy during the fan-out steps, on average. */
function otherLoad(results: BenchResults): number {
  const steps = Object.values(results.fanOut).flatMap((r) => succeeded(r)?.steps ?? []);
  return steps.length ? steps.reduce((sum, s) => sum + s.otherCpu, 0) / steps.length : 0;
}

function machine(results: BenchResults): string[] {
  const m = results.machine;
  const others = otherLoad(results);
  return [
    `- Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Linux ${m.kernel}, open-files limit ${m.openFilesLimit}.`,
    `- Versions: Node ${m.node}, Redis ${m.redis}, uWebSockets.js ${m.uws}, Socket.IO ${m.socketIo}, ws ${m.ws}, ioredis ${m.ioredis}.`,
    results.pinned
      ? '- Pinning (`taskset`): the systems under test on core 0 — every server process and the Redis they read from; the load on core 1 — the runner, which publishes, and its load-generator worker(s).'
      : '- Pinning: **off** (taskset missing or a single core): server and load generator shared the cores, so the figures understate the servers.',
    `- Other work on the machine: load average ${results.loadAverage.toFixed(2)} at the start; processes outside the bench kept ${others.toFixed(2)} cores busy on average during the fan-out steps.${others > 0.15 ? ' **The machine was not quiet: absolute figures and latencies are disturbed; ratios between systems measured minutes apart less so.**' : ''}`,
  ];
}

const METHOD = [
  '- **This gateway**: the real `gateway/main.ts` process, subscribed to a private `redis-server`; messages are published as collectors publish them (`RedisBus.publish`: the history + publish Lua script, auto-pipelined). Default configuration except `MAX_CONNECTIONS_PER_KEY=0` (every bench client shares one API key) and `DRAIN_DELAY_MS=0`; the per-address cap (1,000) stays on, so the load generator spreads its connections over 127.0.0.x source addresses, 1,000 per address.',
  '- **Ceiling**: `bench/peers/ceiling-uws.ts`, a bare uWS.js app that generates the same frames itself and sends every frame to every client — no Redis, no filtering, no JSON; batched (each connection corked once per tick with the tick\'s frames inside).',
  '- **Peers**, same Redis channels, same filter semantics: `bench/peers/ws-ioredis.ts` (`ws` + ioredis, the usual way: JSON.parse, test each client\'s filter, `ws.send(JSON.stringify(msg))`) and `bench/peers/socketio-redis.ts` (Socket.IO + `@socket.io/redis-adapter`, one room per distinct filter, broadcast with `io.local`).',
  '- **Load generator**: `bench/load/`, raw TCP sockets with the WebSocket handshake and frame parsing written by hand (Socket.IO spoken at the engine.io v4 level); it counts frames without decoding them. One connection in 20 is a latency probe, held by a worker process of its own (a worker sweeping thousands of sockets would add its sweep time), which reads each frame\'s send timestamp (`metadata.bt`, on the machine\'s monotonic clock). The ceiling\'s figure, far above the peers\', and the generator\'s own CPU use are the proof it had headroom.',
  '- Before each measurement the bench waits (within a budget) for other work on the machine to quiet down; a saturated step disturbed by other processes is measured again, and a system whose fan-out figures were disturbed is run once more at the end, keeping the quieter result. The kernel\'s network stack (softirqs, charged to no process) is counted apart from other people\'s load.',
  '- **Ingest** (issue 10 §5, this project only): a real collector (compiled, `dist/collector/main.js`, its farm one server whose debug log is a file the runner appends to at a steady rate) and a real compiled gateway on the same Redis, pinned to the server core; a client in the runner measures each line from its write to its frame, after a first second (not measured) of the same load. The parser and the poll cost are measured in the runner itself: the parser over a generated log (checkouts, checkins, denials, a wrapped one, date lines), the poll as a collector runs it (`licenseServerSource`: `lmstat -a` parse, metrics, alert rules, then the publisher\'s validation) on a generated `lmstat -a` answered from memory.',
  '- Each system is started afresh for each scenario. Filter groups: a third unfiltered, a third `level: [error, warn]`, a third `source` + case-insensitive `pattern`; the message cycle gives them 4/4, 2/4 and 1/4 of the messages.',
];

function warningsSection(results: BenchResults): string[] {
  if (results.serverWarnings.length === 0) return [];
  return [
    '## What the servers logged',
    '',
    'Warnings and errors the servers under test logged during the run (often the reason a figure looks odd).',
    '',
    ...results.serverWarnings.flatMap((w) => [`- ${SYSTEM_LABELS[w.system]}, ${w.scenario}: ${w.count} line(s), first:`, ...w.first.slice(0, 2).map((line) => `  \`${line.slice(0, 240).replaceAll('`', "'")}\``)]),
    '',
  ];
}

function profileSection(hot: readonly HotFunction[]): string[] {
  if (hot.length === 0) return [];
  return [
    '## Where the gateway spends its time',
    '',
    'Self time of the hottest functions in the gateway process during the fan-out scenario (`--cpu-prof`), as a share of its busy time. Native calls (uWS `send`, `cork`, `getBufferedAmount` and the socket writes they make) count as self time of the JavaScript function that calls them.',
    '',
    '| function | where | self time | share |',
    '| --- | --- | --- | --- |',
    ...hot.map((h) => `| \`${h.name}\` | ${h.where || '(native)'} | ${h.selfMs.toFixed(0)} ms | ${f.percent(h.share)} |`),
    '',
  ];
}

export function benchmarksMarkdown(results: BenchResults, hot: readonly HotFunction[] = []): string {
  const targets = checkTargets(results, hot);
  const mark = (met: boolean | null) => (met === null ? '— not measured' : met ? '✅ met' : '❌ missed');
  return [
    '# Benchmarks',
    '',
    `Written by \`${results.command}\` on ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC (${results.profile} profile, ${Math.round(results.durationSeconds)} s). Do not edit: run it again. The raw figures of every run are in \`bench/results/*.json\`.`,
    '',
    '## Headline',
    '',
    ...headline(results),
    '',
    '## Targets (issue 6; ingest: issue 10)',
    '',
    '| target | measured | result | by how much, and why |',
    '| --- | --- | --- | --- |',
    ...targets.map((t) => `| ${t.target} | ${t.measured} | ${mark(t.met)} | ${t.why.replaceAll('|', '\\|')} |`),
    '',
    '## How it was measured',
    '',
    `Command: \`${results.command}\` (\`npm run bench\` is the quick profile of about two minutes; \`npm run bench -- --full\` uses the issue's figures).`,
    '',
    ...machine(results),
    ...METHOD,
    '',
    '## Results',
    '',
    ...scenarioTables(results).flatMap((table) => [`### ${table.title}`, '', table.note, '', renderMarkdown(table), '']),
    ...profileSection(hot),
    ...warningsSection(results),
  ].join('\n');
}
