// `lmutil lmstat -a -c port@host` → servers (a single server or a triad), vendor daemons and
// per-feature usage. Never throws: lines it does not know are returned in `unparsed`.
import { parseExpiry, soonestExpiry } from './expiry.ts';
import { parseUserLine } from './lmstat-users.ts';
import { parsePortAtHost, splitLines, toCount } from './text.ts';
import { emptyFeatureUsage, type FeatureUsage, type FeatureVersionBlock, type LicenseServerStatus, type ServerState, type StatusParseOptions, type UnparsedLine, type VendorState } from './types.ts';
import { defaultTimeZone } from './zoned-time.ts';

/** Lines lmutil prints that carry nothing a collector needs. */
const NOISE = [
  /^\s*lm(?:util|stat) - Copyright/i,
  /^\s*Flexible License Manager status on /,
  /^\s*\[Detecting lmgrd processes\.\.\.\]\s*$/,
  /^\s*-{10,}\s*$/,
  /^\s*Feature usage info:\s*$/,
  /^\s*License file\(s\) on /,
  /^\s*(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat) \d{1,2}\/\d{1,2}\/\d{4} \d{1,2}:\d{2}\s*$/,
  /^\s*vendor_string:/,
  /^\s*license type:/i,
];

/** The whole license server could not be queried: these end the useful part of the output. */
const FATAL_RES = [
  /^\s*Error getting status: (.+)$/,
  /^\s*lm(?:util|stat): (.+)$/,
  /^\s*((?:Cannot connect to license server|Cannot find license file|License server machine is down)\b.*)$/,
];

const STATUS_RE = /^\s*License server status: (.+?)\s*$/;
const NOT_RUNNING_RE = /^\s*lmgrd is not running: (.+?)\s*$/;
const VENDOR_HEADER_RE = /^\s*Vendor daemon status \(on (.+)\):\s*$/;
const SERVER_RE = /^\s*(\S+): license server (UP|DOWN)(?: \(MASTER\))?(?: v(\S+))?\s*$/;
const HOST_ERROR_RE = /^\s*(\S+): (.+?)\s*$/;
const VENDOR_RE = /^\s*(\S+): (UP|DOWN)(?: v(\S+))?\s*$/;
const USERS_OF_RE = /^\s*Users of ([^\s:]+):\s*(.*?)\s*$/;
const TOTALS_RE = /^\(Total of (\d+) (?:borrowable )?licenses? issued;\s+Total of (\d+) licenses? in use\)$/;
const UNCOUNTED_RE = /^\(Uncounted, node-locked\)$/;
const FEATURE_ERROR_RE = /^\(Error: (\d+ licenses?, .+)\)$/;
const CANNOT_GET_RE = /^(Cannot get users of .+)$/;
/** The line under a version block's header: `floating license`, `nodelocked license, locked to "HOSTID=..."`. */
const LICENSE_TYPE_RE = /^\s*((?:un)?counted nodelocked|nodelocked|floating|(?:un)?counted)\b.*\blicense\b/i;
const DETAIL_RE = /^\s*"([^"]+)" v(\S+?), vendor: ([^,\s]+)(?:, expiry: (.+?))?\s*$/;

type Section = 'preamble' | 'servers' | 'vendors' | 'features';

/** Reads the `(Total of ...)` part of a `Users of F:` line into the feature; false if unknown. */
function readTotals(feature: FeatureUsage, totals: string): boolean {
  let match = TOTALS_RE.exec(totals);
  if (match) {
    const issued = toCount(match[1]);
    const used = toCount(match[2]);
    if (issued === undefined || used === undefined) return false;
    feature.issued = issued;
    feature.used = used;
    return true;
  }
  if (UNCOUNTED_RE.test(totals)) {
    feature.issued = null;
    feature.uncounted = true;
    return true;
  }
  match = FEATURE_ERROR_RE.exec(totals) ?? CANNOT_GET_RE.exec(totals);
  if (match) {
    feature.error = match[1] ?? totals;
    return true;
  }
  return totals === 'None';
}

/** Node-locked blocks hold a license for one host, set aside by a reservation: not "the" version. */
const isNodeLocked = (block: FeatureVersionBlock): boolean => block.licenseType?.includes('nodelocked') ?? false;

/** `2024.09` vs `2023.12-SP1`: numeric parts compared as numbers, left to right. */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[^0-9]+/).filter(Boolean).map(Number);
  const pb = b.split(/[^0-9]+/).filter(Boolean).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.localeCompare(b);
}

/**
 * A feature's version from its blocks: the newest floating one (a node-locked block is a license
 * set aside for one host). Several blocks are kept as `versions`; lmstat -a prints one total per
 * feature, so a block's `issued` is known only when it is the feature's single counted block.
 */
function settleVersions(feature: FeatureUsage, list: FeatureVersionBlock[]): void {
  const floating = list.filter((b) => !isNodeLocked(b));
  const candidates = floating.length > 0 ? floating : list;
  feature.version = candidates.map((b) => b.version).reduce((a, b) => (compareVersions(b, a) > 0 ? b : a));
  if (list.length < 2) return;
  const counted = list.filter((b) => !b.licenseType?.startsWith('uncounted'));
  if (counted.length === 1 && counted[0] && !feature.uncounted) counted[0].issued = feature.issued;
  feature.versions = list;
}

export function parseLmstat(text: string, options: StatusParseOptions = {}): LicenseServerStatus {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? defaultTimeZone();
  const servers: ServerState[] = [];
  const vendors: VendorState[] = [];
  const features: FeatureUsage[] = [];
  const unparsed: UnparsedLine[] = [];
  const expiries = new Map<FeatureUsage, (string | null)[]>();
  let errors: string[] = [];
  let section: Section = 'preamble';
  /** port@host addresses of the current `License server status:` block. */
  let block: { host: string; port: number }[] = [];
  let feature: FeatureUsage | undefined;
  /** The version blocks of each feature, the current one last. */
  const blocks = new Map<FeatureUsage, FeatureVersionBlock[]>();
  const currentBlock = (): FeatureVersionBlock | undefined => (feature ? blocks.get(feature)?.at(-1) : undefined);

  const portOf = (host: string): number | null =>
    block.find((a) => a.host.toLowerCase() === host.toLowerCase())?.port ?? null;
  /** Records a server's state; one entry per host and port, the latest line winning. */
  const setServer = (host: string, port: number | null, state: Omit<ServerState, 'host' | 'port'>): void => {
    const server = { host, port, ...state };
    const index = servers.findIndex((s) => s.host === host && s.port === port);
    if (index >= 0) servers[index] = server;
    else servers.push(server);
  };
  const down = (error: string | null) => ({ status: 'down', master: false, version: null, error }) as const;

  splitLines(text).forEach((line, index) => {
    const report = (): void => void unparsed.push({ line: index + 1, text: line });
    if (line.trim() === '' || NOISE.some((re) => re.test(line))) return;

    let match = STATUS_RE.exec(line);
    if (match) {
      section = 'servers';
      feature = undefined;
      block = (match[1] ?? '').split(/[,:;]/).flatMap((a) => parsePortAtHost(a) ?? []);
      return;
    }
    match = NOT_RUNNING_RE.exec(line);
    if (match) {
      const error = match[1] ?? line.trim();
      errors.push(error);
      for (const { host, port } of block) setServer(host, port, down(error));
      return;
    }
    for (const re of FATAL_RES) {
      match = re.exec(line);
      if (match) return void errors.push(match[1] ?? line.trim());
    }
    match = VENDOR_HEADER_RE.exec(line);
    if (match) {
      section = 'vendors';
      return;
    }
    match = USERS_OF_RE.exec(line);
    if (match) {
      section = 'features';
      feature = emptyFeatureUsage(match[1] ?? '', null, null);
      features.push(feature);
      if (!readTotals(feature, match[2] ?? '')) report();
      return;
    }

    if (section === 'servers') {
      match = SERVER_RE.exec(line);
      if (match) {
        const host = match[1] ?? '';
        const up = match[2] === 'UP';
        const master = up && line.includes('(MASTER)');
        setServer(host, portOf(host), { status: up ? 'up' : 'down', master, version: match[3] ?? null, error: null });
        return;
      }
      // A server of the block that did not answer: `lic3: Cannot connect to license server ...`.
      match = HOST_ERROR_RE.exec(line);
      if (match && portOf(match[1] ?? '') !== null) {
        const host = match[1] ?? '';
        setServer(host, portOf(host), down(match[2] ?? null));
        return;
      }
    }
    if (section === 'vendors') {
      match = VENDOR_RE.exec(line);
      if (match) {
        const status = match[2] === 'UP' ? 'up' : 'down';
        vendors.push({ name: match[1] ?? '', status, version: match[3] ?? null, error: null });
        return;
      }
      // `cdslmd: The desired vendor daemon is down. (-97,121)`
      match = HOST_ERROR_RE.exec(line);
      if (match) {
        vendors.push({ name: match[1] ?? '', status: 'down', version: null, error: match[2] ?? null });
        return;
      }
    }
    if (section === 'features' && feature) {
      match = DETAIL_RE.exec(line);
      if (match) {
        const block: FeatureVersionBlock = { version: match[2] ?? '', vendor: match[3] ?? '', licenseType: null, issued: null, used: 0, reserved: 0 };
        blocks.set(feature, [...(blocks.get(feature) ?? []), block]);
        feature.vendor ??= block.vendor;
        if (match[4] !== undefined) {
          const expiry = parseExpiry(match[4]);
          if (expiry === undefined) return report();
          block.expiry = expiry;
          expiries.set(feature, [...(expiries.get(feature) ?? []), expiry]);
        }
        return;
      }
      match = LICENSE_TYPE_RE.exec(line);
      const typed = currentBlock();
      if (match && typed && typed.licenseType === null) {
        typed.licenseType = (match[1] ?? '').toLowerCase();
        return;
      }
      const user = parseUserLine(line, now, timeZone);
      const block = currentBlock();
      if (user?.kind === 'checkout') {
        if (block) block.used += user.checkout.count;
        return void feature.checkouts.push(user.checkout);
      }
      if (user?.kind === 'queued') {
        feature.queue.push(user.request);
        feature.queued += user.request.count;
        return;
      }
      if (user?.kind === 'reservation') {
        feature.reservations.push(user.reservation);
        feature.reserved += user.reservation.count;
        if (block) block.reserved += user.reservation.count;
        return;
      }
    }
    report();
  });

  for (const [item, list] of expiries) item.expiry = soonestExpiry(list);
  for (const [item, list] of blocks) settleVersions(item, list);
  // An uncounted feature prints no total: its use is its checkouts.
  for (const item of features) if (item.uncounted) item.used = item.checkouts.reduce((sum, c) => sum + c.count, 0);
  const onlyVendor = vendors.length === 1 ? (vendors[0]?.name ?? null) : null;
  for (const item of features) item.vendor ??= onlyVendor;

  const reachable =
    servers.some((s) => s.status === 'up') || (servers.length === 0 && errors.length === 0 && features.length > 0);
  if (!reachable && errors.length === 0) {
    errors = [servers.find((s) => s.error)?.error ?? 'no license server status in the lmstat output'];
  }
  return { tool: 'lmstat', reachable, error: errors[0] ?? null, servers, vendors, features, unparsed };
}
