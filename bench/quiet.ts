// Other work on this machine (other people's builds and tests) distorts a benchmark. Before each
// measurement, with the system under test idle, the bench waits for the cores to be quiet — up to
// a budget for the whole run, after which it measures anyway (and the report shows the noise).
import { CoreMeter } from './proc-stats.ts';
import { sleep } from './stats.ts';

/** Cores busy (summed) below which the machine counts as quiet. */
const QUIET_BELOW = 0.3;
/** Cores other processes may take during a measurement before it counts as disturbed. */
export const NOISY_CPU = 0.25;
const SAMPLE_MS = 250;

export class QuietWaiter {
  private spentMs = 0;

  constructor(private readonly budgetMs: number) {}

  /** Resolves once one sample shows the machine quiet, or the run's budget is spent; returns ms waited. */
  async wait(log: (line: string) => void): Promise<number> {
    const started = performance.now();
    let told = false;
    while (this.spentMs + (performance.now() - started) < this.budgetMs) {
      const meter = new CoreMeter();
      await sleep(SAMPLE_MS);
      const busy = meter.read().reduce((sum, core) => sum + core.tasks + core.interrupts, 0);
      if (busy < QUIET_BELOW) break;
      if (!told) log(`  waiting for other work to quiet down (${busy.toFixed(2)} cores busy)…`);
      told = true;
    }
    const waited = performance.now() - started;
    this.spentMs += waited;
    return waited;
  }
}
