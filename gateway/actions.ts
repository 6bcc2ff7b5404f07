// Client actions: parse a text frame, act on it, or answer with a stable error code. A bad frame
// never closes the connection; it gets an `error` message naming what was wrong.
import type { z } from 'zod';
import {
  ACTIONS,
  CloseCode,
  ConfigureActionSchema,
  EnvelopeSchema,
  ErrorCode,
  FilterActionSchema,
  SubscribeActionSchema,
  type Filter,
} from '../shared/protocol/index.ts';
import type { Bus } from '../shared/bus/index.ts';
import { InvalidSinceError, parseSince, type StreamId } from '../shared/bus/stream-id.ts';
import { KIND_METRICS } from './endpoints.ts';
import { parseUrlOptions, type UrlOptionsText } from './url-options.ts';
import { compileFilter } from './filter/filter.ts';
import { PatternSyntaxError } from '../shared/pattern/pattern.ts';
import { filterLimitViolation, type FilterLimits } from './limits/filter-limits.ts';
import type { Hub } from './hub.ts';
import type { Intake } from './intake.ts';
import type { MetricsClock } from './metrics-clock.ts';
import { endInitialHold, replay } from './replay.ts';
import { asksCurrentState, currentStateProblem, deliverCurrentState, type CurrentStateRequest } from './current-state.ts';
import type { Session } from './session.ts';

export interface ActionContext {
  readonly hub: Hub;
  readonly intake: Intake;
  readonly bus: Bus;
  readonly clock: MetricsClock;
  readonly minInterval: number;
  readonly maxInterval: number;
  /** Count an error reply by code (Prometheus). */
  readonly countError: (code: ErrorCode) => void;
  /** Configured filter size limits (within the schema's hard caps). */
  readonly filterLimits: FilterLimits;
  /** Start timing a replay (Prometheus); call the result when it is over. */
  readonly timeReplay: () => () => void;
}

const PONG_PREFIX = '{"type":"pong","timestamp":"';

/** The error code of a subscribe whose given field is invalid (any other: INVALID_FILTER). */
const SUBSCRIBE_FIELD_CODES: Readonly<Record<string, ErrorCode>> = { since: ErrorCode.INVALID_SINCE, lines: ErrorCode.INVALID_LINES, activeAlerts: ErrorCode.INVALID_ACTIVE_ALERTS };

export function handleClientFrame(session: Session, text: string, ctx: ActionContext): void {
  handleAction(session, text, ctx);
  // The first action ends the hold at open (a subscribe with since has taken it over already).
  endInitialHold(session);
}

function handleAction(session: Session, text: string, ctx: ActionContext): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(session, ctx, ErrorCode.INVALID_MESSAGE, 'message is not valid JSON');
  }
  const envelope = EnvelopeSchema.safeParse(parsed);
  if (!envelope.success) return fail(session, ctx, ErrorCode.INVALID_MESSAGE, 'expected a JSON object with a string "action"');

  switch (envelope.data.action) {
    case 'ping':
      return session.sendFrame(`${PONG_PREFIX}${new Date().toISOString()}"}`);
    case 'subscribe': {
      const action = SubscribeActionSchema.safeParse(parsed);
      if (!action.success) {
        const field = action.error.issues[0]?.path[0];
        return fail(session, ctx, (typeof field === 'string' && SUBSCRIBE_FIELD_CODES[field]) || ErrorCode.INVALID_FILTER, describe(action.error));
      }
      // Check everything before changing anything, so a bad request changes nothing.
      const state: CurrentStateRequest = { lines: action.data.lines ?? 0, activeAlerts: action.data.activeAlerts ?? false };
      const problem = currentStateProblem(session.endpoint, state);
      if (problem) return fail(session, ctx, problem.code, problem.message);
      const since = action.data.since === undefined ? undefined : parseSinceOrFail(session, action.data.since, ctx);
      if (since === null || !applyFilter(session, action.data.filter ?? null, ctx)) return;
      if (asksCurrentState(state)) void deliverCurrentState(session, state, since, ctx);
      else if (since) void replay(session, since, ctx).finally(ctx.timeReplay());
      else session.stopExactTracking();
      return;
    }
    case 'filter': {
      const action = FilterActionSchema.safeParse(parsed);
      if (!action.success) return fail(session, ctx, ErrorCode.INVALID_FILTER, describe(action.error));
      applyFilter(session, action.data.filter, ctx);
      return;
    }
    case 'configure': {
      const action = ConfigureActionSchema.safeParse(parsed);
      if (!action.success) return fail(session, ctx, ErrorCode.INVALID_INTERVAL, describe(action.error));
      const { interval } = action.data;
      if (interval < ctx.minInterval || interval > ctx.maxInterval) {
        return fail(session, ctx, ErrorCode.INVALID_INTERVAL, `interval must be between ${ctx.minInterval} and ${ctx.maxInterval} ms`);
      }
      if (session.endpoint.kinds & KIND_METRICS) ctx.clock.setInterval(session, interval);
      else session.interval = interval; // /ws/logs carries no metrics: kept, without effect.
      return;
    }
    default:
      return fail(session, ctx, ErrorCode.UNKNOWN_ACTION, `unknown action ${JSON.stringify(envelope.data.action).slice(0, 64)}; expected one of ${ACTIONS.join(', ')}`);
  }
}

/**
 * Apply the filter and interval given on the URL, before the session joins the hub, and answer
 * the current state it asks for. An invalid one is answered with its error code and the
 * connection is closed (4400), answering undefined: a connection must not receive what its URL
 * did not ask for.
 */
export function applyUrlOptions(session: Session, text: UrlOptionsText, ctx: ActionContext): CurrentStateRequest | undefined {
  const options = parseUrlOptions(text, ctx.minInterval, ctx.maxInterval);
  let problem = options.ok ? currentStateProblem(session.endpoint, options.state) : { code: options.code, message: options.message };
  if (options.ok && !problem) {
    const overLimit = filterLimitViolation(options.filter, ctx.filterLimits);
    if (overLimit) problem = { code: ErrorCode.INVALID_FILTER, message: overLimit };
    else {
      try {
        session.filter = compileFilter(options.filter, session.principal.sites);
        if (options.interval !== undefined) session.interval = options.interval;
      } catch (err) {
        if (!(err instanceof PatternSyntaxError)) throw err;
        problem = { code: ErrorCode.INVALID_FILTER, message: `pattern on the URL: ${err.message}` };
      }
    }
  }
  if (!problem) return options.ok ? options.state : undefined;
  fail(session, ctx, problem.code, problem.message);
  session.close(CloseCode.INVALID_REQUEST, `invalid request on the URL: ${problem.message}`);
  return undefined;
}

/**
 * Start what the URL asked for at open: the current state and a replay from `since` (a malformed
 * one is answered with INVALID_SINCE, and the rest goes on without it).
 */
export function startAtOpen(session: Session, sinceText: string | undefined, state: CurrentStateRequest, ctx: ActionContext): void {
  const since = sinceText === undefined ? undefined : (parseSinceOrFail(session, sinceText, ctx) ?? undefined);
  if (asksCurrentState(state)) void deliverCurrentState(session, state, since, ctx);
  else if (since) void replay(session, since, ctx).finally(ctx.timeReplay());
}

function parseSinceOrFail(session: Session, text: string, ctx: ActionContext): Map<string, StreamId> | null {
  try {
    return parseSince(text);
  } catch (err) {
    if (!(err instanceof InvalidSinceError)) throw err;
    fail(session, ctx, ErrorCode.INVALID_SINCE, `since: ${err.message}`);
    return null;
  }
}

function applyFilter(session: Session, filter: Filter | null, ctx: ActionContext): boolean {
  const overLimit = filterLimitViolation(filter, ctx.filterLimits);
  if (overLimit) {
    fail(session, ctx, ErrorCode.INVALID_FILTER, overLimit);
    return false;
  }
  try {
    ctx.hub.join(session, compileFilter(filter, session.principal.sites));
    return true;
  } catch (err) {
    if (!(err instanceof PatternSyntaxError)) throw err;
    fail(session, ctx, ErrorCode.INVALID_FILTER, `filter.pattern: ${err.message}`);
    return false;
  }
}

function fail(session: Session, ctx: ActionContext, code: ErrorCode, message: string): void {
  ctx.countError(code);
  session.sendError(code, message);
}

/** The first schema issue, with its path: enough for a person to fix the request. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
