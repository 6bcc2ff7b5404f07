// The soak's section of BENCHMARKS.md (`npm run soak -- --minutes N --benchmarks`): the verdict on
// every series, what the clients did, and the samples every ten minutes. It sits between
// `<!-- soak:start -->` markers, which a complete `npm run bench` keeps when it rewrites the rest.
import { availableParallelism } from 'node:os';
import { BOUNDS, type Sample, type SoakReport } from './soak.ts';

export interface SoakRunInfo {
  readonly command: string;
  readonly startedAt: string;
  /** The code that ran (git's short hash). */
  readonly commit: string;
}

const MB = 1024 * 1024;
const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** About one row per `every` minutes, the first and the last sample always included. */
function thinned(samples: readonly Sample[], every: number): Sample[] {
  const rows: Sample[] = [];
  for (const s of samples) if (!rows.length || s.minute - rows[rows.length - 1]!.minute >= every - 0.5) rows.push(s);
  const last = samples[samples.length - 1];
  if (last && rows[rows.length - 1] !== last) rows.push(last);
  return rows;
}

export function soakMarkdown(report: SoakReport, run: SoakRunInfo): string {
  const o = report.options;
  const t = report.tally;
  const passed = report.failures.length === 0;
  const every = o.minutes >= 60 ? 10 : 1;
  const minutes = report.samples.at(-1)?.minute ?? 0;
  const loads = report.samples.map((s) => s.loadAverage).filter(Number.isFinite);
  const load = loads.length ? `load average ${(loads.reduce((a, b) => a + b, 0) / loads.length).toFixed(1)} on average, ${Math.max(...loads).toFixed(1)} at most, on ${availableParallelism()} cores` : 'no samples';
  const bounds = Object.entries(BOUNDS).map(([what, b]) => `${what} max(${b.floor}, ${b.share * 100} % of the mean)`).join(', ');
  return [
    '## Soak (issue 13)',
    '',
    `Written by \`${run.command}\` at ${run.commit} on ${run.startedAt.slice(0, 16).replace('T', ' ')} UTC (${minutes.toFixed(0)} min; ${load}). ${passed ? '**Passed: nothing trends up.**' : `**Failed:** ${report.failures.join('; ')}.`}`,
    '',
    `${o.gateways} gateways and a collector on the simulated farm (${o.simRate} events/s, metrics every second from each of its 9 servers), each on a private Redis, history trimmed to ${n(o.historyLength)} entries per site. ${n(o.clients)} clients, each acting every ~${o.actEverySeconds} s: a new filter (from thousands of distinct ones, half as \`filter\`, half as \`subscribe\` with \`since\`), a new metrics interval, a ping, or a drop and reconnect to either gateway, resuming with \`since\` (one in five as a new client). Every minute: RSS and heap after a forced full GC of each process (through its inspector), its event-loop p99 since the last minute (its own /metrics), Redis's used memory, the entries of every stream, and its keys (without usage history, which grows by design for \`USAGE_HISTORY_DAYS\`). After a ${o.warmupMinutes}-minute warm-up, a least-squares line through each series may rise at most ${bounds} across the window.`,
    '',
    `The clients: ${n(t.frames)} frames, ${n(t.connects)} connections (${n(t.resumes)} resuming), ${n(t.filterChanges)} filter changes, ${n(t.intervalChanges)} interval changes; ${n(t.outOfOrder)} ids out of order, ${n(t.truncated)} \`HISTORY_TRUNCATED\` (resumes from before the trimmed history), errors or closes not asked for: ${Object.keys(t.errors).length ? Object.entries(t.errors).map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'}.`,
    '',
    '| series | after warm-up: first → last | mean | slope | fitted rise | allowed | |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...report.verdicts.map((v) => `| ${v.name} | ${v.first.toFixed(1)} → ${v.last.toFixed(1)} ${v.unit} | ${v.mean.toFixed(1)} | ${v.slopePerHour >= 0 ? '+' : ''}${v.slopePerHour.toFixed(2)} ${v.unit}/h | ${v.rise >= 0 ? '+' : ''}${v.rise.toFixed(1)} | ${v.allowed.toFixed(1)} | ${v.ok ? 'flat' : '**rising**'} |`),
    '',
    `Samples (every ${every} min; RSS / heap after GC in MB, event-loop p99 in ms):`,
    '',
    `| min | ${report.samples[0]?.gateways.map((_, i) => `gateway ${i + 1}`).join(' | ')} | collector | Redis MB | stream entries | keys | frames/min | connects/min |`,
    `| --- | ${report.samples[0]?.gateways.map(() => '---').join(' | ')} | --- | --- | --- | --- | --- | --- |`,
    ...thinned(report.samples, every).map((s) => {
      const proc = (p: Sample['collector']) => `${(p.rssBytes / MB).toFixed(1)} / ${(p.heapUsedBytes / MB).toFixed(1)} / ${p.lagP99Ms.toFixed(0)}`;
      const perMinute = 60 / o.sampleSeconds;
      return `| ${s.minute.toFixed(0)} | ${s.gateways.map(proc).join(' | ')} | ${proc(s.collector)} | ${(s.redis.usedMemoryBytes / MB).toFixed(1)} | ${n(s.redis.streamEntries)} | ${n(s.redis.keys)} | ${n(s.clients.frames * perMinute)} | ${n(s.clients.connects * perMinute)} |`;
    }),
  ].join('\n');
}
