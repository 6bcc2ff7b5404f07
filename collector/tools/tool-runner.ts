// Running a license tool (lmutil, rlmutil) the way a poll needs it: `LANG=C` so the output is the
// English the parsers read, a time limit after which the process is killed (SIGKILL: a hung
// lmutil often ignores SIGTERM), and the poll's AbortSignal so a stopping collector does not
// wait. A non-zero exit is not a failure here — lmutil exits 1 when a server is down and its
// output says why; only "could not run it" and "did not finish in time" are.
import { execFile } from 'node:child_process';

export interface ToolResult {
  readonly stdout: string;
  readonly stderr: string;
  /** null when it was killed by a signal. */
  readonly exitCode: number | null;
}

export interface ToolRunOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** How a collector runs a status command; the simulator answers in-process instead. */
export interface ToolRunner {
  run(command: string, args: readonly string[], options: ToolRunOptions): Promise<ToolResult>;
}

/** The tool could not be run, did not finish in time, or was aborted. */
export class ToolError extends Error {
  override name = 'ToolError';
}

/** Larger than any real lmstat output (a farm with thousands of checkouts prints a few MB). */
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

export const execToolRunner: ToolRunner = {
  run(command, args, { signal, timeoutMs }) {
    return new Promise((resolve, reject) => {
      const env = { ...process.env, LANG: 'C', LC_ALL: 'C' };
      execFile(
        command,
        [...args],
        { env, signal, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (!error) return resolve({ stdout, stderr, exitCode: 0 });
          const failure = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean; signal?: NodeJS.Signals | null };
          if (signal.aborted) return reject(new ToolError(`${command} aborted: ${reasonOf(signal)}`));
          if (failure.killed) return reject(new ToolError(`${command} did not finish within ${timeoutMs} ms and was killed`));
          if (typeof failure.code === 'string') return reject(new ToolError(`cannot run ${command}: ${failure.code === 'ENOENT' ? 'not found' : failure.message}`));
          resolve({ stdout, stderr, exitCode: typeof failure.code === 'number' ? failure.code : null });
        },
      );
    });
  },
};

function reasonOf(signal: AbortSignal): string {
  return signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
}
