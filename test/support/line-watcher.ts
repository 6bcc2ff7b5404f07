// The lines a client under test prints — an external program's output, or a browser page's
// console — collected as they come, with a way to wait for one of them. The spec's example
// clients report only by printing, so this is how tests see what they received.
import type { ChildProcess } from 'node:child_process';

export class LineWatcher {
  readonly lines: string[] = [];
  /** Why no more lines will come (set when the process exits); undefined while it runs. */
  endedBecause: string | undefined;
  private readonly wakers = new Set<() => void>();

  push(line: string): void {
    this.lines.push(line);
    this.wake();
  }

  end(reason: string): void {
    this.endedBecause = reason;
    this.wake();
  }

  /** Resolve true once `done(lines)` holds, false if the watched client ended or time ran out first. */
  waitFor(done: (lines: readonly string[]) => boolean, timeoutMs: number): Promise<boolean> {
    if (done(this.lines)) return Promise.resolve(true);
    if (this.endedBecause !== undefined) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.wakers.delete(check);
        resolve(result);
      };
      const check = () => {
        if (done(this.lines)) finish(true);
        else if (this.endedBecause !== undefined) finish(false);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.wakers.add(check);
    });
  }

  /** The last lines, for failure messages. */
  tail(count = 30): string {
    return this.lines.slice(-count).join('\n');
  }

  private wake(): void {
    for (const check of [...this.wakers]) check();
  }
}

export interface WatchedProcess {
  readonly watcher: LineWatcher;
  /** Exit code, or the signal's name. */
  readonly exited: Promise<number | string>;
}

/** Watch a child process's stdout and stderr, line by line (both in one list, in arrival order). */
export function watchProcess(child: ChildProcess): WatchedProcess {
  const watcher = new LineWatcher();
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) watcher.push(line);
    });
    stream?.on('end', () => {
      if (partial) watcher.push(partial);
      partial = '';
    });
  }
  const exited = new Promise<number | string>((resolve) => {
    // 'close' (not 'exit'): every line has been read by then.
    child.once('close', (code, signal) => {
      const result = code ?? signal ?? 'unknown';
      watcher.end(`exited (${result})`);
      resolve(result);
    });
    child.once('error', (err) => {
      watcher.end(`failed to start: ${err.message}`);
      resolve(err.message);
    });
  });
  return { watcher, exited };
}
