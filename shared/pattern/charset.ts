// Character sets and case folding for pattern filters. Both follow JavaScript's RegExp with the
// `i` flag (and no `u` flag) exactly, so a pattern means what a user who tried it in a browser
// console expects. A set is a flat list of inclusive [lo, hi] pairs of UTF-16 code units.

export type Ranges = readonly number[];

const MAX_CODE_UNIT = 0xffff;

export const DIGIT: Ranges = [0x30, 0x39];
export const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/** JavaScript's \s: WhiteSpace and LineTerminator. */
export const SPACE: Ranges = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f,
  0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];

/** The code units not in `sorted` (which must be sorted and disjoint, like the constants above). */
export function complement(sorted: Ranges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < sorted.length; i += 2) {
    const lo = sorted[i]!;
    if (lo > next) out.push(next, lo - 1);
    next = sorted[i + 1]! + 1;
  }
  if (next <= MAX_CODE_UNIT) out.push(next, MAX_CODE_UNIT);
  return out;
}

/** What `.` does not match. */
export function isLineTerminator(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;
}

/** \w as \b sees it. */
export function isWordCode(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a) || (code >= 0x30 && code <= 0x39) || code === 0x5f
  );
}

// Filled on demand so no code unit costs more than once; 0 means "not computed yet" (no code
// unit from 128 up canonicalizes to 0).
const canonicalTable = new Uint16Array(MAX_CODE_UNIT + 1);

/**
 * The spec's Canonicalize for non-unicode ignoreCase: two code units match case-insensitively
 * iff their canonical forms are equal. ASCII is inlined because it is nearly every character
 * of a log line.
 */
export function canonicalize(code: number): number {
  if (code < 0x80) return code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
  let canonical = canonicalTable[code]!;
  if (canonical === 0) {
    canonical = computeCanonical(code);
    canonicalTable[code] = canonical;
  }
  return canonical;
}

function computeCanonical(code: number): number {
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const result = upper.charCodeAt(0);
  // The spec never folds a non-ASCII character onto ASCII (ſ is not s, K-the-Kelvin-sign is not k).
  return result < 0x80 ? code : result;
}

let nonFixedPoints: Uint16Array | undefined;

/** The ~1,200 non-ASCII code units whose canonical form is another code unit, ascending. */
function nonAsciiNonFixedPoints(): Uint16Array {
  if (nonFixedPoints === undefined) {
    const found: number[] = [];
    for (let code = 0x80; code <= MAX_CODE_UNIT; code++) if (canonicalize(code) !== code) found.push(code);
    nonFixedPoints = Uint16Array.from(found);
  }
  return nonFixedPoints;
}

/** Every code unit whose canonical form is `canonical` (the variants a /i search must accept). */
export function foldVariants(canonical: number): number[] {
  if (canonical < 0x80) return canonical >= 0x41 && canonical <= 0x5a ? [canonical, canonical + 0x20] : [canonical];
  const variants = canonicalize(canonical) === canonical ? [canonical] : [];
  for (const code of nonAsciiNonFixedPoints()) if (canonicalize(code) === canonical) variants.push(code);
  return variants;
}

/**
 * The canonical forms of every member of a set, sorted and merged. A class matches a character
 * iff the set holds a member with the character's canonical form, so matching is then one
 * lookup of `canonicalize(char)` in this image. Large non-ASCII ranges cost work only for the
 * few code units that case-fold, not for each of the 65,000 code units.
 */
export function canonicalImage(ranges: Ranges): Uint16Array {
  const pairs: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i]!;
    const hi = ranges[i + 1]!;
    for (let code = lo; code <= Math.min(hi, 0x7f); code++) {
      const canonical = canonicalize(code);
      pairs.push(canonical, canonical);
    }
    if (hi >= 0x80) addNonAsciiImage(Math.max(lo, 0x80), hi, pairs);
  }
  return mergeRanges(pairs);
}

function addNonAsciiImage(lo: number, hi: number, pairs: number[]): void {
  const folding = nonAsciiNonFixedPoints();
  let start = lo;
  for (let i = firstAtLeast(folding, lo); i < folding.length && folding[i]! <= hi; i++) {
    const code = folding[i]!;
    if (code > start) pairs.push(start, code - 1);
    const canonical = canonicalize(code);
    pairs.push(canonical, canonical);
    start = code + 1;
  }
  if (start <= hi) pairs.push(start, hi);
}

function firstAtLeast(sorted: Uint16Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function mergeRanges(pairs: number[]): Uint16Array {
  const spans: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) spans.push([pairs[i]!, pairs[i + 1]!]);
  spans.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [lo, hi] of spans) {
    const last = merged.length - 1;
    if (merged.length > 0 && lo <= merged[last]! + 1) merged[last] = Math.max(merged[last]!, hi);
    else merged.push(lo, hi);
  }
  return Uint16Array.from(merged);
}

/** Binary search of a merged set (as built by canonicalImage). */
export function inRanges(set: Uint16Array, code: number): boolean {
  let lo = 0;
  let hi = set.length >> 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (set[2 * mid + 1]! < code) lo = mid + 1;
    else hi = mid;
  }
  return 2 * lo < set.length && set[2 * lo]! <= code;
}
