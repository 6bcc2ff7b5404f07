// The per-user lines under a `Users of F:` header of `lmstat -a`. lmutil prints each as
//   user host [display] [vendor string] [(vVERSION)] [(server/port handle)]
// followed by `, start Day M/D H:MM[, N licenses][  (linger: R / T)][, PID: N]` for a checkout or by
// ` queued for N license(s)` for a queued request; the version is left out when it is 0.0 and
// the server part when the handle is 0 (FlexNet 11.19 adds the PID). Reservations have a line of
// their own: `1 RESERVATION for HOST ws-7 (lic/27000)`, `10 RESERVATIONs for GROUP cad (...)`.
import type { Checkout, LicenseHolder, Linger, QueuedRequest, Reservation } from './types.ts';
import { resolveYearless } from './zoned-time.ts';

export type UserLine =
  | { kind: 'checkout'; checkout: Checkout }
  | { kind: 'queued'; request: QueuedRequest }
  | { kind: 'reservation'; reservation: Reservation };

const RESERVATION_RE = /^\s*(\d+) RESERVATIONS? for (DAEMON on|\S+) (.+?) \(([^()\s/]+)\/(\d+)(?: \d+)?\)\s*$/i;
const QUEUED_RE = /^(.*?)\s+queued for (\d+) licenses?\s*$/;
const START_RE =
  /^(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) (\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?:, (\d+) licenses?)?(?:\s+\(linger: (\d+)(?: \/ (\d+))?\))?(?:,\s*PID:\s*(\d+))?\s*$/;
const SERVER_TAIL_RE = /\s*\(([^()\s/]+)\/(\d+)(?: (\d+))?\)$/;
const VERSION_TAIL_RE = /\s*\(v([^()\s]*)\)$/;

/** `user host display... (vX) (server/port handle)` → its fields; `undefined` without a host. */
function parseHolder(text: string): LicenseHolder | undefined {
  let rest = text.trim();
  let server: string | null = null;
  let port: number | null = null;
  let handle: string | null = null;
  let version: string | null = null;
  const serverMatch = SERVER_TAIL_RE.exec(rest);
  if (serverMatch) {
    server = serverMatch[1] ?? null;
    port = Number(serverMatch[2]);
    handle = serverMatch[3] ?? null;
    rest = rest.slice(0, serverMatch.index);
  }
  const versionMatch = VERSION_TAIL_RE.exec(rest);
  if (versionMatch) {
    version = versionMatch[1] ?? null;
    rest = rest.slice(0, versionMatch.index);
  }
  const [user, host, ...display] = rest.trim().split(/\s+/);
  if (!user || !host) return undefined;
  return { user, host, display: display.join(' '), version, server, port, handle };
}

function parseLinger(first: string | undefined, second: string | undefined): Linger | undefined {
  if (first === undefined) return undefined;
  // One number: the linger interval. Two: the time left, then the interval (a borrowed license
  // shows `(linger: 4263164 / 5487240)`: the second minus the time since its start is the first).
  if (second === undefined) return { seconds: Number(first), remaining: null };
  return { seconds: Number(second), remaining: Number(first) };
}

/**
 * One indented line of a feature's user list, or `undefined` when it is none of the known
 * shapes (the caller reports it). `now`/`timeZone` resolve the year-less start time.
 */
export function parseUserLine(line: string, now: Date, timeZone: string): UserLine | undefined {
  const reservation = RESERVATION_RE.exec(line);
  if (reservation) {
    return {
      kind: 'reservation',
      reservation: {
        count: Number(reservation[1]),
        kind: reservation[2] ?? '',
        target: reservation[3] ?? '',
        server: reservation[4] ?? null,
        port: Number(reservation[5]),
      },
    };
  }
  const queued = QUEUED_RE.exec(line);
  if (queued) {
    const holder = parseHolder(queued[1] ?? '');
    return holder && { kind: 'queued', request: { ...holder, count: Number(queued[2]) } };
  }
  const startAt = line.lastIndexOf(', start ');
  if (startAt < 0) return undefined;
  const holder = parseHolder(line.slice(0, startAt));
  const start = START_RE.exec(line.slice(startAt + ', start '.length));
  if (!holder || !start) return undefined;
  const startTime = resolveYearless(
    {
      month: Number(start[1]),
      day: Number(start[2]),
      hour: Number(start[3]),
      minute: Number(start[4]),
      second: Number(start[5] ?? 0),
    },
    now,
    timeZone,
  );
  if (!startTime) return undefined;
  const checkout: Checkout = {
    ...holder,
    start: startTime.toISOString(),
    count: start[6] === undefined ? 1 : Number(start[6]),
  };
  const linger = parseLinger(start[7], start[8]);
  if (linger) checkout.linger = linger;
  if (start[9] !== undefined) checkout.pid = Number(start[9]);
  return { kind: 'checkout', checkout };
}
