// A new connection's first moments, in order: the filter and interval its URL asks for (an
// invalid one is answered and the connection closed, before it can receive anything), its filter
// group in the hub, the metrics clock (on endpoints carrying metrics), then either a replay from
// the URL's `since` or the hold of its first live frames until its first action. Kept apart from
// the uWS handlers so it can be tested with a plain socket.
import { applyUrlOptions, startReplay, type ActionContext } from './actions.ts';
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
  if (request.urlOptions && !applyUrlOptions(session, request.urlOptions, ctx)) return false;
  ctx.hub.join(session, session.filter);
  if (session.endpoint.kinds & KIND_METRICS) ctx.clock.add(session);
  if (request.since !== undefined) startReplay(session, request.since, ctx);
  else {
    session.startExactTracking();
    holdUntilFirstAction(session, ctx.firstActionHoldMs);
  }
  return true;
}
