// What rules answer: the alerts to start and the ones to clear. Rules are pure functions of what
// a poll or a log event showed and of which keys are firing now; the engine (alert-engine.ts)
// applies their transitions to the shared state and turns them into messages.
import type { Level } from '../../shared/protocol/index.ts';
import type { AlertSpec } from './alert-state.ts';

export interface Resolution {
  readonly timestamp: string;
  readonly message: string;
  /** Severity of the resolved notice; resolving is good news, so `info` by default. */
  readonly level?: Level;
  readonly metadata?: Record<string, unknown>;
}

export type Transition = { readonly type: 'fire'; readonly alert: AlertSpec } | { readonly type: 'resolve'; readonly key: string; readonly resolution: Resolution };

/**
 * The transitions that make `rule`'s firing keys equal the conditions that hold now: fire each
 * holding one not yet firing, resolve each firing one (of this rule) that no longer holds.
 */
export function reconcile(rule: string, firing: ReadonlySet<string>, holding: readonly AlertSpec[], resolution: (key: string) => Resolution): Transition[] {
  const transitions: Transition[] = [];
  const held = new Set<string>();
  for (const alert of holding) {
    held.add(alert.key);
    if (!firing.has(alert.key)) transitions.push({ type: 'fire', alert });
  }
  const own = `${rule}:`;
  for (const key of firing) {
    if (key.startsWith(own) && !held.has(key)) transitions.push({ type: 'resolve', key, resolution: resolution(key) });
  }
  return transitions;
}

/**
 * A threshold with hysteresis: a condition starts at or above `fireAt` and, once firing, holds
 * until the value drops below `clearBelow` — a value hovering at the line does not flap.
 */
export function aboveThreshold(value: number, firing: boolean, threshold: { fireAt: number; clearBelow: number }): boolean {
  return firing ? value >= threshold.clearBelow : value >= threshold.fireAt;
}

/** `rule:part:part…` — the stable key of one condition; a missing part (no site) is `_`, as on the bus. */
export function alertKey(rule: string, ...parts: Array<string | number | undefined>): string {
  return [rule, ...parts.map((p) => p ?? '_')].join(':');
}
