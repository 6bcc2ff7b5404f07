// `npm run bench:startup`: how fast the compiled build starts, against running the sources through
// tsx side by side (the baseline it replaced), on this machine now. Two figures: `licmon --help`
// (process start to exit) and a gateway answering /healthz (process start to the first 200, on a
// private redis-server). Medians of --runs (default 9) alternating runs.
import { execFileSync, spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { RedisServer, freePort } from '../test/support/redis-server.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const RUNS = Number(values.runs);
const COMPILED = { name: 'compiled (dist/)', args: (file: string) => [`dist/${file}.js`] };
const TSX = { name: 'tsx (sources)', args: (file: string) => ['--import', 'tsx', `${file}.ts`] };

function timeToExit(args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${args.join(' ')} exited ${code}`))));
  });
}

async function timeToHealthy(args: string[], redisUrl: string): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', REDIS_URL: redisUrl, API_KEYS: 'bench', DRAIN_DELAY_MS: '0' } });
  try {
    for (const deadline = started + 30_000; performance.now() < deadline;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (ok) return performance.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`${args.join(' ')}: no /healthz within 30 s`);
  } finally {
    child.kill('SIGKILL');
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
const redis = await RedisServer.start();
try {
  const rows: string[] = [];
  for (const [what, target, measure] of [
    ['licmon --help', '< 300 ms', (args: string[]) => timeToExit([...args, '--help'])],
    ['gateway: start to /healthz 200', '< 1 s', (args: string[]) => timeToHealthy(args, redis.url)],
  ] as const) {
    const file = what.startsWith('licmon') ? 'cli/licmon' : 'gateway/main';
    const times = { compiled: [] as number[], tsx: [] as number[] };
    for (let i = 0; i < RUNS; i++) {
      times.compiled.push(await measure(COMPILED.args(file)));
      times.tsx.push(await measure(TSX.args(file)));
    }
    const [c, t] = [median(times.compiled), median(times.tsx)];
    rows.push(`| ${what} | ${c.toFixed(0)} ms | ${t.toFixed(0)} ms | ${(t / c).toFixed(1)}× | ${target} |`);
  }
  process.stdout.write([
    `Startup, median of ${RUNS} alternating runs (load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}):`,
    '',
    `| | ${COMPILED.name} | ${TSX.name} | speed-up | target |`,
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'));
} finally {
  await redis.dispose();
}
