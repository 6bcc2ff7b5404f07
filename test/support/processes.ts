// Start the project's real processes (gateway, collector, CLI) for integration tests.
// Each runs as `node --import tsx <entry>` (or plain `node` for a compiled .js entry) — one PID to
// signal — and logs pino JSON to stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout/stderr line so far (for assertions and for failure messages). */
  readonly output: string[];
  /** Resolve with the first JSON log line for which `match` is true. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has ended. */
  readonly exited: Promise<number | string>;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

/**
 * `nodeArgs` are Node's own flags (e.g. `--cpu-prof`, which NODE_OPTIONS does not accept); `node`
 * another Node binary than the test's own (e.g. Node 22 from the registry).
 */
export function startProcess(entry: string, env: Record<string, string>, args: string[] = [], nodeArgs: string[] = [], node = process.execPath): RunningProcess {
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child = spawn(node, [...nodeArgs, ...loader, entry, ...args], {
    cwd: ROOT,
    // COLLECTOR_PORT=0: collectors started side by side must not fight over 9464.
    env: { ...process.env, LOG_LEVEL: 'info', COLLECTOR_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const waiters: Array<{ match: (line: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }> = [];
  const onLine = (line: string) => {
    output.push(line);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!;
      if (w.match(parsed)) {
        waiters.splice(i, 1);
        w.resolve(parsed);
      }
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
  }
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  return {
    child,
    pid: child.pid!,
    output,
    exited,
    waitForLog(match, timeoutMs = 30_000) {
      for (const line of output) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (match(parsed)) return Promise.resolve(parsed);
        } catch {
          // not a JSON line
        }
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line from ${entry}; output:\n${output.slice(-40).join('\n')}`)), timeoutMs);
        const waiter = { match, resolve: (l: Record<string, unknown>) => { clearTimeout(timer); resolve(l); } };
        waiters.push(waiter);
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${entry} exited (${code}) before the expected log line; output:\n${output.slice(-40).join('\n')}`));
        });
      });
    },
    signal(sig) {
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

export interface RunningGateway extends RunningProcess {
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
}

/** Start a gateway on a free port (PORT=0) and wait until it listens. */
export async function startGateway(env: Record<string, string>, nodeArgs: string[] = [], entry = 'gateway/main.ts'): Promise<RunningGateway> {
  const proc = startProcess(entry, { PORT: '0', HOST: '127.0.0.1', ...env }, [], nodeArgs);
  const line = await proc.waitForLog((l) => l.msg === 'gateway listening' && typeof l.port === 'number');
  const port = line.port as number;
  return Object.assign(proc, { port, httpUrl: `http://127.0.0.1:${port}`, wsUrl: `ws://127.0.0.1:${port}` });
}

/** A random key prefix, so tests sharing one Redis never see each other's data. */
export function randomPrefix(): string {
  return `t${Math.random().toString(36).slice(2, 10)}`;
}
