// What the soak reads off one of its Node processes each sample: resident and heap memory after a
// forced full GC, through the process's inspector (started with --inspect=127.0.0.1:0, so nothing
// in the product changes for it), and the event-loop delay p99 from its own Prometheus /metrics.
// prom-client resets that histogram on every scrape, so each read is the p99 since the last one.
import WebSocket from 'ws';
import type { RunningProcess } from '../../test/support/processes.ts';

/** Node flags that open the inspector on a free loopback port. */
export const INSPECT_ARGS = ['--inspect=127.0.0.1:0'];

export interface ProcessSample {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly lagP99Ms: number;
}

const LISTENING_RE = /Debugger listening on (ws:\/\/\S+)/;

export class ProcessProbe {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly inspector: WebSocket, private readonly metricsUrl: string) {
    inspector.on('message', (data) => {
      const reply = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
      const waiter = reply.id === undefined ? undefined : this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id!);
      if (reply.error) waiter.reject(new Error(reply.error.message));
      else waiter.resolve(reply.result);
    });
    inspector.on('close', () => {
      for (const waiter of this.pending.values()) waiter.reject(new Error('the inspector connection closed'));
      this.pending.clear();
    });
  }

  /** Attach to a process started with INSPECT_ARGS, whose /metrics is at `metricsUrl`. */
  static async attach(proc: RunningProcess, metricsUrl: string): Promise<ProcessProbe> {
    const url = await inspectorUrl(proc);
    const inspector = new WebSocket(url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      inspector.once('open', resolve);
      inspector.once('error', reject);
    });
    return new ProcessProbe(inspector, metricsUrl);
  }

  async sample(): Promise<ProcessSample> {
    // The forced collections below pause the loop once per interval: one delay sample among
    // thousands (the histogram samples every 10 ms), which leaves the p99 alone.
    const lagP99Ms = await this.lagP99Ms();
    // Two collections: the first may leave what only the second can free (weak references, finalisers).
    await this.call('HeapProfiler.collectGarbage');
    await this.call('HeapProfiler.collectGarbage');
    const evaluated = (await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true })) as { result: { value: string } };
    const memory = JSON.parse(evaluated.result.value) as NodeJS.MemoryUsage;
    return { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, lagP99Ms };
  }

  close(): void {
    this.inspector.close();
  }

  private async lagP99Ms(): Promise<number> {
    const text = await (await fetch(this.metricsUrl)).text();
    const match = /^nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(text);
    if (!match) throw new Error(`${this.metricsUrl} has no nodejs_eventloop_lag_p99_seconds`);
    return Number(match[1]) * 1000;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.inspector.send(JSON.stringify({ id, method, params }));
    });
  }
}

async function inspectorUrl(proc: RunningProcess, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const line of proc.output) {
      const match = LISTENING_RE.exec(line);
      if (match) return match[1]!;
    }
    if (Date.now() > deadline) throw new Error(`process ${proc.pid} printed no inspector address; output:\n${proc.output.slice(-20).join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
