// The gateway's counters. Plain numbers on plain objects: incrementing them on the hot path costs
// nothing; gateway/prometheus.ts reads them when Prometheus scrapes.
import { ErrorCode } from '../shared/protocol/index.ts';
import type { IntakeCounters } from './intake.ts';
import type { SessionCounters } from './session.ts';

export class GatewayStats implements IntakeCounters, SessionCounters {
  busMessages = 0;
  invalidBusMessages = 0;
  duplicateBusMessages = 0;
  historyTruncations = 0;
  framesOut = 0;
  slowConsumerDrops = 0;
  clientMessages = 0;
  connectionsOpened = 0;
  idleDisconnects = 0;
  readonly rejectedUpgrades = new Map<number, number>();
  readonly errors = new Map<ErrorCode, number>(Object.values(ErrorCode).map((c) => [c, 0]));

  countError = (code: ErrorCode): void => {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  };

  countRejectedUpgrade(status: number): void {
    this.rejectedUpgrades.set(status, (this.rejectedUpgrades.get(status) ?? 0) + 1);
  }
}
