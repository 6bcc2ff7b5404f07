// Denial bursts: at least `count` denials of one feature within `window`, from a server's debug
// log. Denials are counted by when they arrive (not by the log's clock, which may be off by a
// misconfigured time zone). Once firing, the alert holds until the window's count falls below
// half the threshold — a steady trickle around the threshold does not flap. One instance per
// debug log, in the collector that tails it; tick() lets a quiet feature resolve.
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import { alertKey, reconcile, type Transition } from '../transitions.ts';
import { serverAlert, type RuleServer } from './license-alert.ts';

export const DENIAL_BURST = 'denial_burst';

export class DenialBursts {
  private readonly denials = new Map<string, { times: number[]; last: { user?: string; host?: string; reason?: string } }>();

  constructor(
    private readonly server: RuleServer,
    private readonly config: AlertRules['denialBurst'],
  ) {}

  get enabled(): boolean {
    return this.config.enabled;
  }

  record(feature: string, at: number, detail: { user?: string; host?: string; reason?: string }): void {
    if (!this.config.enabled) return;
    const entry = this.denials.get(feature) ?? { times: [], last: detail };
    entry.times.push(at);
    entry.last = detail;
    this.denials.set(feature, entry);
  }

  /** The transitions for what the window holds at `now`. */
  evaluate(now: number, firing: ReadonlySet<string>): Transition[] {
    if (!this.config.enabled) return [];
    const { count: fireAt, window } = this.config;
    const clearBelow = Math.ceil(fireAt / 2);
    const timestamp = new Date(now).toISOString();
    const counts = new Map<string, number>();
    const holding = [...this.denials].flatMap(([feature, entry]) => {
      while (entry.times.length > 0 && entry.times[0]! <= now - window) entry.times.shift();
      const key = alertKey(DENIAL_BURST, this.server.site, this.server.id, feature);
      counts.set(key, entry.times.length);
      if (entry.times.length === 0 && !firing.has(key)) this.denials.delete(feature);
      const holds = entry.times.length >= (firing.has(key) ? clearBelow : fireAt);
      if (!holds) return [];
      const seconds = Math.round(window / 1000);
      const message = `${entry.times.length} denials of ${feature} on ${this.server.id} in the last ${seconds} s${entry.last.reason ? ` (last: ${entry.last.reason})` : ''}`;
      return [serverAlert(this.server, { timestamp, rule: DENIAL_BURST, key, level: this.config.level, message, metadata: { feature, denials: entry.times.length, windowMs: window, ...entry.last } })];
    });
    return reconcile(DENIAL_BURST, firing, holding, (key) => {
      const feature = key.split(':').slice(3).join(':');
      return { timestamp, message: `Denials of ${feature} on ${this.server.id} have calmed down: ${counts.get(key) ?? 0} in the last ${Math.round(window / 1000)} s`, metadata: { denials: counts.get(key) ?? 0 } };
    });
  }
}
