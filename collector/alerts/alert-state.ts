// Which alert conditions are firing, so each produces exactly one `firing` alert when it starts
// and one `resolved` alert (same key) when it clears, whichever collector sees it. State is kept
// per scope (a license server's id, or `farm`): every evaluation reads one scope and changes
// only the keys of its own rules. Two implementations: in memory (one collector, the all-in-one)
// and in Redis (alert-state-redis.ts: collectors sharing a farm's polls). Firing and resolving
// are atomic test-and-set, so two collectors racing on one condition still say it once.
import type { AlertMessage } from '../../shared/protocol/index.ts';

/** An alert as a rule describes it; the engine adds `type` and `status`. */
export type AlertSpec = Pick<AlertMessage, 'timestamp' | 'level' | 'message' | 'source' | 'site' | 'metadata' | 'rule' | 'key'>;

export interface AlertState {
  /** Keys firing now in `scope`. */
  firing(scope: string): Promise<ReadonlySet<string>>;
  /** Mark firing; true when it was not firing before (the caller announces it). */
  fire(scope: string, alert: AlertSpec): Promise<boolean>;
  /** Mark cleared; the alert as it fired, or undefined when it was not firing. */
  resolve(scope: string, key: string): Promise<AlertSpec | undefined>;
  /** Count one more consecutive poll failure of a server; answers the new count. */
  countFailure(server: string): Promise<number>;
  /** A poll succeeded: the consecutive failures start again from zero. */
  clearFailures(server: string): Promise<void>;
}

export class MemoryAlertState implements AlertState {
  private readonly scopes = new Map<string, Map<string, AlertSpec>>();
  private readonly failures = new Map<string, number>();

  async firing(scope: string): Promise<ReadonlySet<string>> {
    return new Set(this.scopes.get(scope)?.keys());
  }

  async fire(scope: string, alert: AlertSpec): Promise<boolean> {
    let alerts = this.scopes.get(scope);
    if (!alerts) this.scopes.set(scope, (alerts = new Map()));
    if (alerts.has(alert.key)) return false;
    alerts.set(alert.key, alert);
    return true;
  }

  async resolve(scope: string, key: string): Promise<AlertSpec | undefined> {
    const alerts = this.scopes.get(scope);
    const alert = alerts?.get(key);
    alerts?.delete(key);
    if (alerts?.size === 0) this.scopes.delete(scope);
    return alert;
  }

  async countFailure(server: string): Promise<number> {
    const count = (this.failures.get(server) ?? 0) + 1;
    this.failures.set(server, count);
    return count;
  }

  async clearFailures(server: string): Promise<void> {
    this.failures.delete(server);
  }
}
