// Run the real `licmon` CLI (node --import tsx cli/licmon.ts …) to completion, for tests.
import { spawn } from 'node:child_process';
import { ROOT } from './processes.ts';

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** When the process exited (ms since epoch). */
  readonly exitedAt: number;
}

export function runLicmon(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runToEnd(['--import', 'tsx', 'cli/licmon.ts', ...args], env);
}

/** The installed command (bin/licmon.mjs: the compiled CLI in dist/, built by the global setup): starts several times faster than through tsx. */
export function runCompiledLicmon(args: string[], env: Record<string, string>): Promise<CliResult> {
  return runToEnd(['bin/licmon.mjs', ...args], env);
}

function runToEnd(nodeArgs: string[], env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr, exitedAt: Date.now() })));
}

/** `licmon keys create …` and the key it printed alone on its last line. */
export async function createKey(args: string[], env: Record<string, string>, run = runLicmon): Promise<string> {
  const result = await run(['keys', 'create', ...args], env);
  if (result.code !== 0) throw new Error(`licmon keys create failed (${result.code}): ${result.stderr}`);
  return result.stdout.trimEnd().split('\n').at(-1)!;
}
