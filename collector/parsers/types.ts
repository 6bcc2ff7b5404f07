// What the license-status parsers produce. Plain data (JSON-printable as is), shared by the
// FlexLM and RLM parsers so sources, metrics and alert rules read one shape whichever tool
// answered; both parsers start each feature from emptyFeatureUsage. Conventions: times are ISO
// 8601 in UTC; an expiry is an ISO date (`YYYY-MM-DD`), `null` for a license that never expires,
// and absent when the output did not say.

/** A line the parser did not recognise, kept so a collector can count and log it once. */
export interface UnparsedLine {
  /** 1-based line number in the parsed text. */
  line: number;
  text: string;
}

export type UpDown = 'up' | 'down';

/** One license server host (one of a FlexLM triad, or the RLM server). */
export interface ServerState {
  host: string;
  port: number | null;
  status: UpDown;
  /** FlexLM: this host is the triad's master. Always false for RLM. */
  master: boolean;
  version: string | null;
  /** Why the server is down, as the tool printed it. */
  error: string | null;
}

/** Statistics columns of `rlmstat`: since the last "recent" reset, today, since start-up. */
export interface RlmCounter {
  recent: number;
  today: number;
  total: number;
}

/** A FlexLM vendor daemon, or an RLM ISV server. */
export interface VendorState {
  name: string;
  status: UpDown;
  version: string | null;
  error: string | null;
  /** RLM: the ISV server's port. */
  port?: number;
  /** RLM: how many times rlm restarted this ISV server. */
  restarts?: number;
  /** RLM: checkout, denial and removal counters of the ISV server. */
  counters?: { checkouts?: RlmCounter; denials?: RlmCounter; removals?: RlmCounter };
}

/** `(linger: R / T)`: R seconds of lingering left out of T; older servers print only T. */
export interface Linger {
  seconds: number;
  remaining: number | null;
}

/** Who holds, or waits for, a license and through which server: what a checkout and a queued request share. */
export interface LicenseHolder {
  user: string;
  host: string;
  /** X display, tty or console name; may contain spaces; empty when the tool shows none. */
  display: string;
  version: string | null;
  /** License server host and port that granted (or queued) it (FlexLM `(server/port handle)`). */
  server: string | null;
  port: number | null;
  handle: string | null;
}

/** One license held by a user. */
export interface Checkout extends LicenseHolder {
  /** When the checkout started (the tools print no year: resolved against the reference time). */
  start: string | null;
  count: number;
  linger?: Linger;
  /** FlexNet 11.19 prints the client's process id: `, PID: 2924522`. */
  pid?: number;
}

/** A user waiting in a FlexLM queue (`queued for N licenses`). */
export interface QueuedRequest extends LicenseHolder {
  count: number;
}

/** `N RESERVATION(S) for USER|HOST|GROUP|... target (server/port)`. */
export interface Reservation {
  count: number;
  /** USER, HOST, HOST_GROUP, GROUP, DISPLAY, INTERNET, PROJECT, DAEMON on, ... */
  kind: string;
  target: string;
  server: string | null;
  port: number | null;
}

/**
 * One `"F" vX, vendor: V, expiry: D` block of a feature: a license line of that version, and the
 * checkouts and reservations listed under it.
 */
export interface FeatureVersionBlock {
  version: string;
  vendor: string;
  /** ISO date, `null` = never expires, absent = the line did not say. */
  expiry?: string | null;
  /** `floating`, `nodelocked`, `uncounted nodelocked`, ... as the line under it says; null: none. */
  licenseType: string | null;
  /** `null` when uncounted, or when lmstat -a did not say (it prints one total per feature). */
  issued: number | null;
  used: number;
  reserved: number;
}

export interface FeatureUsage {
  name: string;
  vendor: string | null;
  version: string | null;
  /** Licenses issued; `null` for uncounted (node-locked) licenses, which have no count. */
  issued: number | null;
  used: number;
  queued: number;
  reserved: number;
  /** ISO date, `null` = never expires, absent = the output did not say. */
  expiry?: string | null;
  uncounted: boolean;
  /** A per-feature error, e.g. `Cannot get users of F: ...` or `unsupported by licensed server`. */
  error: string | null;
  checkouts: Checkout[];
  queue: QueuedRequest[];
  reservations: Reservation[];
  /** FlexLM: the feature's version blocks, when there are several (the feature sums them). */
  versions?: FeatureVersionBlock[];
  /** RLM: the pool number. */
  pool?: number;
  /** RLM: licenses of this pool that are obsolete (replaced) but still in use. */
  obsolete?: number;
  /** RLM: checkouts of this pool since the ISV server started. */
  totalCheckouts?: number;
}

/** A feature (FlexLM) or pool (RLM) as its header line announces it, before anything is counted. */
export function emptyFeatureUsage(name: string, vendor: string | null, version: string | null): FeatureUsage {
  return {
    name,
    vendor,
    version,
    issued: 0,
    used: 0,
    queued: 0,
    reserved: 0,
    uncounted: false,
    error: null,
    checkouts: [],
    queue: [],
    reservations: [],
  };
}

/** One poll of a license server (`lmstat -a` or `rlmstat -a`), parsed. */
export interface LicenseServerStatus {
  tool: 'lmstat' | 'rlmstat';
  /** False when the whole license server could not be queried; `error` then says why. */
  reachable: boolean;
  error: string | null;
  servers: ServerState[];
  vendors: VendorState[];
  features: FeatureUsage[];
  unparsed: UnparsedLine[];
}

/** Options shared by the status parsers. */
export interface StatusParseOptions {
  /** Reference time to resolve year-less start times (default: now). */
  now?: Date;
  /** IANA time zone of the license server's clock (default: the process's). */
  timeZone?: string;
}
