// Tests that need a tool this machine may lack (haproxy, docker-compose, python3 …) are skipped on
// a developer's machine, with a warning. Not in CI: it installs every tool (.ci/run), so there a
// missing one must fail the test rather than hide it.
import { spawnSync } from 'node:child_process';

/** Whether to skip a test that needs `tool` (`present`: whether this machine has it). */
export function skipWithout(tool: string, present: boolean): boolean {
  if (present || process.env.CI) return false;
  console.warn(`skipping the test that needs ${tool}: it is not installed here`);
  return true;
}

/** Whether `command` runs with `args` and exits 0. */
export const runs = (command: string, args: string[]): boolean => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
