// `lmutil lmstat -i -c port@host`: the feature table read from the license file (feature,
// version, #licenses, expires, vendor) → the expiry of every feature, including those nobody
// uses (`lmstat -a` prints an expiry only above a feature's user list).
import { parseExpiry, soonestExpiry } from './expiry.ts';
import { splitLines, toCount } from './text.ts';
import type { LicenseServerStatus, UnparsedLine } from './types.ts';

/** One INCREMENT/FEATURE line of the license file, as `lmstat -i` lists it. */
export interface FeatureDefinition {
  name: string;
  version: string;
  /** `null` for uncounted licenses. */
  licenses: number | null;
  vendor: string;
  /** ISO date, or `null` when it never expires. */
  expiry: string | null;
}

export interface LmstatIResult {
  definitions: FeatureDefinition[];
  /** Per feature name, the soonest expiry of its lines (`null`: none of them expires). */
  expiries: Record<string, string | null>;
  error: string | null;
  unparsed: UnparsedLine[];
}

const NOISE = [
  /^\s*lm(?:util|stat) - Copyright/i,
  /^\s*Flexible License Manager status on /,
  /^\s*\[Detecting lmgrd processes\.\.\.\]\s*$/,
  /^\s*NOTE: lmstat -i/,
  /^\s+but only reads the license file/,
  /^\s+lmstat -a is recommended instead/,
  /^\s*[_-]{3,}(?:\s+[_-]{3,})*\s*$/,
];
const HEADER_RE = /^\s*Feature\s+Version\s+#\s*licenses\s+(Expires|Vendor)\s+(Expires|Vendor)\s*$/i;
const ERROR_RE = /^\s*(?:Error getting status|lm(?:util|stat)): (.+?)\s*$/;
const VERSION_RE = /^[\w.-]+$/;

/** A table row in either column order; `undefined` when it does not read as one. */
function parseRow(line: string, vendorFirst: boolean | undefined): FeatureDefinition | undefined {
  const tokens = line.trim().split(/\s+/);
  const [name, version, count] = tokens;
  if (tokens.length < 5 || !name || !version || !count || !VERSION_RE.test(version)) return undefined;
  const licenses = /^uncounted$/i.test(count) ? null : toCount(count);
  if (licenses === undefined) return undefined;
  // Older lmutil prints `Expires Vendor`, newer `Vendor Expires`; the header says which, and
  // without one the row itself does (an expiry never looks like a vendor name).
  const orders = vendorFirst === undefined ? [false, true] : [vendorFirst];
  for (const first of orders) {
    const vendor = first ? tokens[3] : tokens[tokens.length - 1];
    const expiry = parseExpiry((first ? tokens.slice(4) : tokens.slice(3, -1)).join(' '));
    if (vendor && expiry !== undefined) return { name, version, licenses, vendor, expiry };
  }
  return undefined;
}

export function parseLmstatI(text: string): LmstatIResult {
  const definitions: FeatureDefinition[] = [];
  const unparsed: UnparsedLine[] = [];
  let error: string | null = null;
  let vendorFirst: boolean | undefined;

  splitLines(text).forEach((line, index) => {
    if (line.trim() === '' || NOISE.some((re) => re.test(line))) return;
    const header = HEADER_RE.exec(line);
    if (header) {
      vendorFirst = /vendor/i.test(header[1] ?? '');
      return;
    }
    const failure = ERROR_RE.exec(line);
    if (failure) {
      error ??= failure[1] ?? line.trim();
      return;
    }
    const row = parseRow(line, vendorFirst);
    if (row) definitions.push(row);
    else unparsed.push({ line: index + 1, text: line });
  });

  const byName = new Map<string, (string | null)[]>();
  for (const d of definitions) byName.set(d.name, [...(byName.get(d.name) ?? []), d.expiry]);
  const expiries: Record<string, string | null> = {};
  for (const [name, list] of byName) expiries[name] = soonestExpiry(list);
  return { definitions, expiries, error, unparsed };
}

/**
 * The status with the expiry of `lmstat -i` filled in for every feature whose `lmstat -a`
 * block did not say (features nobody uses). An expiry `lmstat -a` gave is kept.
 */
export function withExpiries(status: LicenseServerStatus, table: LmstatIResult): LicenseServerStatus {
  return {
    ...status,
    features: status.features.map((feature) =>
      feature.expiry === undefined && Object.hasOwn(table.expiries, feature.name)
        ? { ...feature, expiry: table.expiries[feature.name] ?? null }
        : feature,
    ),
  };
}
