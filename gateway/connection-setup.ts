// A new connection's first moments, in order: the filter and interval its URL asks for (an
// invalid one is answered and the connection closed, before it can receive anything), its filter
// group in the hub, the metrics clock (on endpoints carrying metrics), then either a replay from
// the URL's `since` and the current state it asks for (current-state.ts), or the hold of its first live frames until its first action. Kept apart from
// the uWS handlers so it can be tested with a plain socket.
import { applyUrlOptions, startAtOpen, type ActionContext } from './actions.ts';
import { asksCurrentState, NO_CURRENT_STATE } from './current-state.ts';
import { KIND_METRICS } from './endpoints.ts';
import { holdUntilFirstAction } from './replay.ts';
import type { Session } from './session.ts';
import type { UrlOptionsText } from './url-options.ts';

/** What the upgrade read from the URL for the open handler. */
export interface ConnectionRequest {
  /** `?since=`: replay starts as soon as the connection opens. */
  readonly since: string | undefined;
  readonly urlOptions: UrlOptionsText | undefined;
}

export interface SetupContext extends ActionContext {
  /** How long a connection without `since` holds its first live frames for its first action. */
  readonly firstActionHoldMs: number;
}

/** Start a connection; false when its URL options were refused (it is closing then). */
export function setUpConnection(session: Session, request: ConnectionRequest, ctx: SetupContext): boolean {
  const state = request.urlOptions ? applyUrlOptions(session, request.urlOptions, ctx) : NO_CURRENT_STATE;
  if (!state) return false;
  ctx.hub.join(session, session.filter);
  if (session.endpoint.kinds & KIND_METRICS) ctx.clock.add(session);
  if (request.since !== undefined || asksCurrentState(state)) startAtOpen(session, request.since, state, ctx);
  else {
    session.startExactTracking();
    holdUntilFirstAction(session, ctx.firstActionHoldMs);
  }
  return true;
}
