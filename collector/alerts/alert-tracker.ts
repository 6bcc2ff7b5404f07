// Alert state: which conditions are firing, so each one produces exactly one `firing` alert
// when it starts and one `resolved` alert (same key) when it clears — never a stream of
// duplicates while it holds. Rules decide *when*; this decides *whether to say so*.
import type { AlertMessage, Level } from '../../shared/protocol/index.ts';

/** An alert as a rule describes it; the tracker sets `type` and `status`. */
export type AlertSpec = Pick<AlertMessage, 'timestamp' | 'level' | 'message' | 'source' | 'site' | 'metadata' | 'rule' | 'key'>;

export interface Resolution {
  readonly timestamp: string;
  readonly message: string;
  /** Severity of the resolved notice; resolving is good news, so `info` by default. */
  readonly level?: Level;
  readonly metadata?: Record<string, unknown>;
}

export class AlertTracker {
  private readonly firing = new Map<string, AlertSpec>();

  isFiring(key: string): boolean {
    return this.firing.has(key);
  }

  /** The condition holds: a `firing` alert if it was not already firing, else nothing. */
  fire(spec: AlertSpec): AlertMessage | undefined {
    if (this.firing.has(spec.key)) return undefined;
    this.firing.set(spec.key, spec);
    return { type: 'alert', ...spec, status: 'firing' };
  }

  /** The condition cleared: a `resolved` alert carrying the firing one's rule, source and site. */
  resolve(key: string, resolution: Resolution): AlertMessage | undefined {
    const spec = this.firing.get(key);
    if (!spec) return undefined;
    this.firing.delete(key);
    return {
      type: 'alert',
      ...spec,
      status: 'resolved',
      timestamp: resolution.timestamp,
      message: resolution.message,
      level: resolution.level ?? 'info',
      metadata: { ...spec.metadata, ...resolution.metadata },
    };
  }

  /** Keys firing now whose key starts with `prefix` (e.g. every alert of one server). */
  firingKeys(prefix = ''): string[] {
    return [...this.firing.keys()].filter((key) => key.startsWith(prefix));
  }
}

/**
 * A threshold with hysteresis: fire at or above `fireAt`, clear only below `clearBelow`, so a
 * value hovering at the threshold does not flap. Answers the transition, if any.
 */
export function thresholdTransition(value: number, firing: boolean, threshold: { fireAt: number; clearBelow: number }): 'fire' | 'resolve' | undefined {
  if (!firing && value >= threshold.fireAt) return 'fire';
  if (firing && value < threshold.clearBelow) return 'resolve';
  return undefined;
}
