// The exit code of a command whose gateway connection closed for good, by why it closed: the
// same for every command that reads a gateway's stream (`licmon tail`, `licmon who`).
import type { ClosedBecause } from '@licmon/client';
import { ExitCode } from './command.ts';

export const EXIT_BY_CLOSE: Record<ClosedBecause, number> = {
  client: ExitCode.OK,
  server: ExitCode.OK,
  unauthorized: ExitCode.AUTH_REFUSED,
  forbidden: ExitCode.AUTH_REFUSED,
  'not-found': ExitCode.UNREACHABLE,
  'retries-exhausted': ExitCode.UNREACHABLE,
  'invalid-options': ExitCode.USAGE,
};
