// `rlmutil rlmstat -a -c port@host` → the rlm server, its ISV servers (with their checkout,
// denial and removal counters), license pools as features and per-user usage as checkouts.
// Never throws: lines it does not know are returned in `unparsed`.
import { parseExpiry } from './expiry.ts';
import { splitLines, toCount } from './text.ts';
import { emptyFeatureUsage, type FeatureUsage, type LicenseServerStatus, type RlmCounter, type ServerState, type StatusParseOptions, type UnparsedLine, type VendorState } from './types.ts';
import { defaultTimeZone, resolveYearless } from './zoned-time.ts';

const NOISE = [
  /^\s*Setting license file path to /,
  /^\s*rlmutil v\S+\s*$/,
  /^\s*Copyright \(C\)/i,
  /^\s*\S+ comm version: /,
  /^\s*\S+ (?:Debug|Report) log filename: /,
  /^\s*Startup time: /,
  /^\s*(?:Todays|Recent) Statistics /,
  /^\s*Recent Stats\s+Todays Stats\s+Total Stats\s*$/,
  /^\s*(?:\d+d )?\d{1,2}:\d{2}:\d{2}\s+(?:\d+d )?\d{1,2}:\d{2}:\d{2}\s+(?:\d+d )?\d{1,2}:\d{2}:\d{2}\s*$/,
  /^\s*(?:Messages|Connections):\s/,
  /^\s*Name\s+Port\s+Running\s+Restarts\s*$/i,
  /^\s*-{10,}\s*$/,
];

const RLM_STATUS_RE = /^\s*rlm status on (\S+) \(port (\d+)\)/;
const RLM_VERSION_RE = /^\s*rlm software version v(\S+)/;
const ISV_TABLE_RE = /^\s*-+ ISV servers -+\s*$/;
const ISV_ROW_RE = /^\s*(\S+)\s+(\d+)\s+(Yes|No)\s+(\d+)\s*$/i;
const ISV_STATUS_RE = /^\s*(\S+) ISV server status on (\S+) \(port (\d+)\)/;
const ISV_VERSION_RE = /^\s*(\S+) software version v(\S+)/;
const COUNTER_RE = /^\s*(Checkouts|Denials|Removals):\s+(\d+) \([^)]*\)\s+(\d+) \([^)]*\)\s+(\d+) \([^)]*\)\s*$/;
const POOLS_RE = /^\s*(\S+) license pool status on (\S+) \(port (\d+)\)\s*$/;
const USAGE_HEADER_RE = /^\s*(\S+) license usage status on (\S+) \(port (\d+)\)\s*$/;
const POOL_RE = /^\s*(\S+) v(\S+?)(?:, pool: (\d+))?\s*$/;
const FIELDS_RE = /^\s*[#\w ]+: [^,]+(?:, [#\w ]+: [^,]+)*\s*$/;
const USAGE_RE = /^\s*(\S+) v(\S+?): (.+)@(\S+) (\d+)\/(\d+) at (\d{1,2})\/(\d{1,2}) (\d{1,2}):(\d{2})\s+\(handle: (\w+)\)/;
/** Under `Error connecting to "rlm" server`: where rlmutil tried (the host is empty when it had none). */
const ATTEMPTED_RE = /^\s*Connection attempted to host: "([^"]*)" on port (\d+)\s*$/;
/** rlmutil's OS-error text after a failed connection when the OS reported none: meaningless. */
const NO_ERROR_RE = /^\s*No error\s*$/;
const ERROR_RE = /^\s*(?:rlm\w*:\s*)?((?:Error connecting to|Communications error|Cannot connect)\b.*?)\s*$/i;

type Section = 'preamble' | 'isv-table' | 'isv' | 'pools' | 'usage' | 'error';

/** `count: 10, # reservations: 0, inuse: 4, exp: 31-dec-2025` into the pool; false if unknown. */
function readPoolFields(feature: FeatureUsage, line: string): boolean {
  for (const pair of line.trim().split(/,\s+/)) {
    const [key = '', value = ''] = pair.split(/:\s+/);
    const number = toCount(value);
    if (key === 'count' && /^uncounted$/i.test(value)) {
      feature.issued = null;
      feature.uncounted = true;
    } else if (key === 'count' && number !== undefined) feature.issued = number;
    else if (key === '# reservations' && number !== undefined) feature.reserved = number;
    else if (key === 'inuse' && number !== undefined) feature.used = number;
    else if (key === 'obsolete' && number !== undefined) feature.obsolete = number;
    else if (key === 'total checkouts' && number !== undefined) feature.totalCheckouts = number;
    else if (key === 'exp') {
      const expiry = parseExpiry(value);
      if (expiry === undefined) return false;
      feature.expiry = expiry;
    }
  }
  return true;
}

export function parseRlmstat(text: string, options: StatusParseOptions = {}): LicenseServerStatus {
  const now = options.now ?? new Date();
  const timeZone = options.timeZone ?? defaultTimeZone();
  const servers: ServerState[] = [];
  const vendors: VendorState[] = [];
  const features: FeatureUsage[] = [];
  const unparsed: UnparsedLine[] = [];
  const errors: string[] = [];
  let section: Section = 'preamble';
  let isv: VendorState | undefined;
  let pool: FeatureUsage | undefined;
  let server: { host: string; port: number } | undefined;

  const vendorNamed = (name: string): VendorState => {
    let vendor = vendors.find((v) => v.name === name);
    if (!vendor) {
      vendor = { name, status: 'up', version: null, error: null };
      vendors.push(vendor);
    }
    return vendor;
  };

  splitLines(text).forEach((line, index) => {
    const report = (): void => void unparsed.push({ line: index + 1, text: line });
    if (line.trim() === '' || NOISE.some((re) => re.test(line))) return;
    let m = ERROR_RE.exec(line);
    if (m) {
      errors.push(m[1] ?? line.trim());
      section = 'error';
      return;
    }
    if (section === 'error' && (m = ATTEMPTED_RE.exec(line))) {
      const host = m[1] ?? '';
      errors[errors.length - 1] += `; tried ${host === '' ? 'no host' : `host ${host}`} on port ${m[2]}`;
      if (host !== '') servers.push({ host, port: Number(m[2]), status: 'down', master: false, version: null, error: errors[errors.length - 1] ?? null });
      return;
    }
    if (section === 'error' && NO_ERROR_RE.test(line)) return;
    if (section === 'error' && /^\s/.test(line)) {
      // Details of the connection error, indented under it.
      errors[errors.length - 1] += `; ${line.trim()}`;
      return;
    }
    if (section === 'error') section = 'preamble';
    if ((m = RLM_STATUS_RE.exec(line))) {
      server = { host: m[1] ?? '', port: Number(m[2]) };
      servers.push({ ...server, status: 'up', master: false, version: null, error: null });
      return;
    }
    if ((m = RLM_VERSION_RE.exec(line))) {
      const last = servers[servers.length - 1];
      if (last) last.version = m[1] ?? null;
      return;
    }
    if (ISV_TABLE_RE.test(line)) return void (section = 'isv-table');
    if ((m = ISV_STATUS_RE.exec(line))) {
      section = 'isv';
      isv = vendorNamed(m[1] ?? '');
      isv.port = Number(m[3]);
      return;
    }
    if ((m = POOLS_RE.exec(line))) {
      section = 'pools';
      isv = vendorNamed(m[1] ?? '');
      pool = undefined;
      return;
    }
    if ((m = USAGE_HEADER_RE.exec(line))) {
      section = 'usage';
      isv = vendorNamed(m[1] ?? '');
      return;
    }
    if (section === 'isv-table' && (m = ISV_ROW_RE.exec(line))) {
      const running = (m[3] ?? '').toLowerCase() === 'yes';
      const vendor = vendorNamed(m[1] ?? '');
      Object.assign(vendor, { status: running ? 'up' : 'down', port: Number(m[2]), restarts: Number(m[4]) });
      vendor.error = running ? null : 'ISV server not running';
      return;
    }
    if (section === 'isv' && isv && (m = ISV_VERSION_RE.exec(line)) && m[1] === isv.name) {
      isv.version = m[2] ?? null;
      return;
    }
    if (section === 'isv' && isv && (m = COUNTER_RE.exec(line))) {
      const counter: RlmCounter = { recent: Number(m[2]), today: Number(m[3]), total: Number(m[4]) };
      const key = (m[1] ?? '').toLowerCase() as 'checkouts' | 'denials' | 'removals';
      isv.counters = { ...isv.counters, [key]: counter };
      return;
    }
    if (section === 'pools' && (m = POOL_RE.exec(line))) {
      pool = emptyFeatureUsage(m[1] ?? '', isv?.name ?? null, m[2] ?? '');
      if (m[3] !== undefined) pool.pool = Number(m[3]);
      features.push(pool);
      return;
    }
    if (section === 'pools' && pool && FIELDS_RE.test(line)) {
      if (!readPoolFields(pool, line)) report();
      return;
    }
    if (section === 'usage' && (m = USAGE_RE.exec(line))) {
      const [, name = '', version = '', user = '', host = '', count, , month, day, hour, minute, handle = ''] = m;
      const start = resolveYearless(
        { month: Number(month), day: Number(day), hour: Number(hour), minute: Number(minute), second: 0 },
        now,
        timeZone,
      );
      if (!start) return report();
      const vendor = isv?.name ?? null;
      let feature = features.find((f) => f.name === name && f.version === version && f.vendor === vendor);
      if (!feature) {
        // In use but in no pool listing (an older rlmstat, or a cut output): still worth counting.
        feature = emptyFeatureUsage(name, vendor, version);
        features.push(feature);
      }
      feature.checkouts.push({
        user,
        host,
        display: '',
        version,
        server: server?.host ?? null,
        port: isv?.port ?? null,
        handle,
        start: start.toISOString(),
        count: Number(count),
      });
      return;
    }
    report();
  });

  const reachable = servers.some((s) => s.status === 'up');
  const error = errors[0] ?? (reachable ? null : 'no rlm server status in the rlmstat output');
  return { tool: 'rlmstat', reachable, error, servers, vendors, features, unparsed };
}
