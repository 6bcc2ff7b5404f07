// `npm run bench [-- --full | --profile quick|full|smoke] [--systems a,b] [--scenarios x,y] [--cpu-prof] [--no-pin]`
// Runs the benchmark (harness.ts), prints a table per scenario, writes the run's figures to
// bench/results/<time>-<profile>.json and, for a complete run, BENCHMARKS.md at the top level.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { findSection, replaceSection } from '../scripts/marked-sections.ts';
import { Cleanup } from './cleanup.ts';
import { runBench, SCENARIO_IDS, type ScenarioId } from './harness.ts';
import { PROFILES } from './profiles.ts';
import { canPin } from './proc-stats.ts';
import { hotFunctions } from './report/cpu-profile.ts';
import { benchmarksMarkdown } from './report/markdown.ts';
import { renderText, scenarioTables } from './report/tables.ts';
import { checkTargets } from './report/targets.ts';
import { SYSTEM_IDS, type SystemId } from './systems/system.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * Sections of BENCHMARKS.md other commands write, which a complete run keeps: the soak's
 * (`npm run soak -- --benchmarks`, hours long) and the publish WAIT's (`npm run bench:wait -- --benchmarks`).
 */
const KEPT_SECTIONS = ['soak', 'wait'] as const;

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    profile: { type: 'string' },
    systems: { type: 'string' },
    scenarios: { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    'no-pin': { type: 'boolean', default: false },
  },
});

function pick<T extends string>(given: string | undefined, all: readonly T[], what: string): T[] {
  if (!given) return [...all];
  const names = given.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !all.includes(n as T));
  if (unknown.length) throw new Error(`unknown ${what}: ${unknown.join(', ')} (known: ${all.join(', ')})`);
  return names as T[];
}

const profile = PROFILES[pick(values.profile ?? (values.full ? 'full' : 'quick'), ['quick', 'full', 'smoke'] as const, 'profile')[0]!];
const systems: SystemId[] = pick(values.systems, SYSTEM_IDS, 'system');
const scenarios: ScenarioId[] = pick(values.scenarios, SCENARIO_IDS, 'scenario');
const pin = !values['no-pin'] && canPin(cpus().length);
const complete = profile !== PROFILES.smoke && systems.length === SYSTEM_IDS.length && scenarios.length === SCENARIO_IDS.length;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const cpuProfileDir = values['cpu-prof'] ? `${ROOT}bench/results/cpu-prof-${stamp}` : undefined;
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

const cleanup = new Cleanup();
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping every process it started…`);
    void cleanup.stopAll().finally(() => process.exit(130));
  });
}

if (!pin) console.error('bench: not pinning (taskset missing, a single core, or --no-pin): server and generator will share cores.');
console.log(`bench: ${profile.name} profile; systems ${systems.join(', ')}; scenarios ${scenarios.join(', ')}`);
try {
  if (cpuProfileDir) mkdirSync(cpuProfileDir, { recursive: true });
  const results = await runBench({ profile, systems, scenarios, pin, cleanup, command, log: (line) => console.log(line), ...(cpuProfileDir ? { cpuProfileDir } : {}) });
  const hot = cpuProfileDir ? hotFunctions(cpuProfileDir) : [];
  console.log('');
  for (const table of scenarioTables(results)) console.log(`${renderText(table)}\n`);
  for (const t of checkTargets(results, hot)) console.log(`${t.met === null ? '–' : t.met ? '✓' : '✗'} ${t.target}: ${t.measured}${t.why ? ` — ${t.why}` : ''}`);
  if (hot.length) {
    console.log('\nGateway CPU profile (self time, fan-out):');
    for (const h of hot) console.log(`  ${(h.share * 100).toFixed(1).padStart(5)}%  ${h.name}  ${h.where}`);
  }
  mkdirSync(`${ROOT}bench/results`, { recursive: true });
  const jsonPath = `${ROOT}bench/results/${stamp}-${profile.name}.json`;
  writeFileSync(jsonPath, `${JSON.stringify({ ...results, hotFunctions: hot }, null, 2)}\n`);
  console.log(`\nbench: figures in ${jsonPath.slice(ROOT.length)}`);
  if (complete) {
    const previous = existsSync(`${ROOT}BENCHMARKS.md`) ? readFileSync(`${ROOT}BENCHMARKS.md`, 'utf8') : '';
    let markdown = benchmarksMarkdown(results, hot);
    for (const name of KEPT_SECTIONS) {
      const kept = findSection(previous, name);
      if (kept !== undefined) markdown = replaceSection(markdown, name, kept);
    }
    writeFileSync(`${ROOT}BENCHMARKS.md`, markdown);
    console.log('bench: BENCHMARKS.md written');
  } else console.log('bench: a partial run (--systems/--scenarios): BENCHMARKS.md left as it is');
  if (cpuProfileDir && hot.length === 0) rmSync(cpuProfileDir, { recursive: true, force: true });
} catch (err) {
  if (!interrupted) {
    console.error(err);
    process.exitCode = 1;
  }
} finally {
  if (!interrupted) await cleanup.stopAll();
}
