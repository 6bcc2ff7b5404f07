// Applies rules' transitions to the alert state and answers the alert messages to publish: a
// `firing` alert only when the state says the condition was not firing yet (de-duplication across
// polls and collectors), a `resolved` one — carrying the firing alert's rule, key, site, source
// and metadata — only when it was.
import type { AlertMessage } from '../../shared/protocol/index.ts';
import type { AlertSpec, AlertState } from './alert-state.ts';
import type { Resolution, Transition } from './transitions.ts';

export class AlertEngine {
  constructor(readonly state: AlertState) {}

  /** Read `scope`'s firing keys, let `rules` decide, apply what they answer. */
  async evaluate(scope: string, rules: (firing: ReadonlySet<string>) => Transition[]): Promise<AlertMessage[]> {
    return this.apply(scope, rules(await this.state.firing(scope)));
  }

  async apply(scope: string, transitions: readonly Transition[]): Promise<AlertMessage[]> {
    const messages: AlertMessage[] = [];
    for (const transition of transitions) {
      if (transition.type === 'fire') {
        if (await this.state.fire(scope, transition.alert)) messages.push({ type: 'alert', ...transition.alert, status: 'firing' });
        continue;
      }
      const fired = await this.state.resolve(scope, transition.key);
      if (fired) messages.push(resolvedAlert(fired, transition.resolution));
    }
    return messages;
  }

  /** Clear everything firing in `scope` (e.g. a server removed from the farm). */
  async resolveAll(scope: string, resolution: Resolution): Promise<AlertMessage[]> {
    const firing = await this.state.firing(scope);
    return this.apply(scope, [...firing].map((key) => ({ type: 'resolve' as const, key, resolution })));
  }
}

function resolvedAlert(fired: AlertSpec, resolution: Resolution): AlertMessage {
  return {
    type: 'alert',
    ...fired,
    status: 'resolved',
    timestamp: resolution.timestamp,
    message: resolution.message,
    level: resolution.level ?? 'info',
    // The severity it fired with, so notification channels can route the all-clear like the alarm.
    metadata: { ...fired.metadata, firedLevel: fired.level, ...resolution.metadata },
  };
}
