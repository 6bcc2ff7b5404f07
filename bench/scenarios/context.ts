// What every scenario works with: the system under test, the load generator, a progress log.
import type { LoadGenerator } from '../load/generator.ts';
import type { SystemUnderTest } from '../systems/system.ts';

export interface ScenarioContext {
  readonly system: SystemUnderTest;
  readonly generator: LoadGenerator;
  readonly log: (line: string) => void;
  /** Wait (within the run's budget) until other work on the machine is quiet; call with the system idle. */
  readonly quiet: () => Promise<unknown>;
}
