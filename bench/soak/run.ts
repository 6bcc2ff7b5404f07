// `npm run soak -- --minutes N [--warmup M] [--sample-seconds S] [--gateways G] [--clients C]
//   [--act-every S] [--sim-rate R] [--history H] [--json FILE] [--benchmarks]`
// Runs the soak (soak.ts), prints a line per sample and a verdict per series, writes everything
// to FILE (default bench/results/soak-<time>.json), with --benchmarks its section of BENCHMARKS.md,
// and exits 1 if the soak failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Cleanup } from '../cleanup.ts';
import { replaceSection } from '../../scripts/marked-sections.ts';
import { soakMarkdown } from './report.ts';
import { runSoak, type SoakOptions } from './soak.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const OPTIONS = {
  minutes: { type: 'string', default: '10' },
  warmup: { type: 'string' },
  'sample-seconds': { type: 'string' },
  gateways: { type: 'string', default: '2' },
  clients: { type: 'string', default: '200' },
  'act-every': { type: 'string', default: '10' },
  'sim-rate': { type: 'string', default: '30' },
  history: { type: 'string', default: '5000' },
  json: { type: 'string' },
  benchmarks: { type: 'boolean', default: false },
} as const;

function parseOptions() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (err) {
    console.error(`soak: ${(err as Error).message}\nusage: npm run soak -- --minutes N [--warmup M] [--sample-seconds S] [--gateways G] [--clients C] [--act-every S] [--sim-rate R] [--history H] [--json FILE] [--benchmarks]`);
    process.exit(2);
  }
}
const values = parseOptions();

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`soak: --${name} must be a positive number (got ${JSON.stringify(text)})`);
    process.exit(2);
  }
  return n;
}

const minutes = positive('minutes', values.minutes);
const options: SoakOptions = {
  minutes,
  // Long enough for the streams to fill to --history and the processes' heaps to settle.
  warmupMinutes: values.warmup === undefined ? Math.min(10, minutes / 3) : positive('warmup', values.warmup),
  sampleSeconds: values['sample-seconds'] === undefined ? (minutes >= 10 ? 60 : 10) : positive('sample-seconds', values['sample-seconds']),
  gateways: positive('gateways', values.gateways),
  clients: positive('clients', values.clients),
  actEverySeconds: positive('act-every', values['act-every']),
  simRate: positive('sim-rate', values['sim-rate']),
  historyLength: positive('history', values.history),
};

function headCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'an unknown commit';
  }
}

const cleanup = new Cleanup();
process.once('SIGINT', () => void cleanup.stopAll().then(() => process.exit(130)));
let failed: boolean;
const startedAt = new Date().toISOString();
try {
  const report = await runSoak(options, cleanup, (line) => console.log(line));
  console.log('\ntrends after warm-up (least-squares rise across the window; allowed: max(floor, share × mean)):');
  for (const v of report.verdicts) {
    console.log(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.name}: ${v.first.toFixed(1)} → ${v.last.toFixed(1)} ${v.unit}, mean ${v.mean.toFixed(1)}, slope ${v.slopePerHour.toFixed(2)} ${v.unit}/h, rise ${v.rise.toFixed(1)} (allowed ${v.allowed.toFixed(1)})`);
  }
  const t = report.tally;
  console.log(`clients: ${t.frames} frames, ${t.connects} connects (${t.resumes} resuming), ${t.filterChanges} filter changes, ${t.intervalChanges} interval changes, ${t.truncated} HISTORY_TRUNCATED, ${t.replayedBehind} replayed behind the newest after a subscribe with since, ${t.outOfOrder} out of order`);
  const file = values.json ?? `${ROOT}bench/results/soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(`written: ${file}`);
  if (values.benchmarks) {
    const path = `${ROOT}BENCHMARKS.md`;
    const command = `npm run soak -- ${process.argv.slice(2).filter((a) => !a.startsWith('--json') && !/^\/|\.json$/.test(a)).join(' ')}`;
    writeFileSync(path, replaceSection(existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n', 'soak', soakMarkdown(report, { command, startedAt, commit: headCommit() })));
    console.log('written: the soak section of BENCHMARKS.md');
  }
  if (report.failures.length) console.error(`\nsoak FAILED:\n${report.failures.map((f) => `  - ${f}`).join('\n')}`);
  else console.log('\nsoak passed: nothing trends up');
  failed = report.failures.length > 0;
} finally {
  await cleanup.stopAll();
}
process.exit(failed ? 1 : 0);
