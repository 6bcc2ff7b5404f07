// Case-insensitive substring search for plain-word patterns, the common case on the gateway's
// hot path, and the literal prefilter of the others: no lowercased copy of the message, no
// allocation per call, and Knuth–Morris–Pratt so that even a needle like "aaaab" costs
// O(message + needle), never O(message × needle).
import { canonicalize, foldVariants } from './charset.ts';

/** nextStarter's value before a call has looked for that starter. */
const NOT_SOUGHT = -2;
/** Characters compared inline before a call to indexOf: beyond this, indexOf is cheaper. */
const INLINE_SCAN = 8;

export class FoldedSearch {
  private readonly needle: Uint16Array;
  /** fallback[k]: length of the longest proper border of needle[0..k]: where to resume after a mismatch. */
  private readonly fallback: Int32Array;
  /** The code units that fold to the needle's first ("u" and "U"): where a match can start. */
  private readonly starters: readonly string[];
  /**
   * Per call, where each starter next occurs at or after the scan position: -1 none, NOT_SOUGHT
   * before the first look. Each starter's occurrences are sought left to right once per call, so
   * the native indexOf scans (far faster than a loop of charCodeAt) stay linear together.
   */
  private readonly nextStarter: Int32Array;
  /** Two starters as code units, for the inline scan ("u", "U"; twice "1" if "1" is the only one). */
  private readonly starterA: number;
  private readonly starterB: number;
  /** A few non-ASCII letters have three or more variants (Σ σ ς): compare canonical forms then. */
  private readonly manyStarters: boolean;

  /** `codes`: the needle's UTF-16 code units, matched with JavaScript's /i folding. */
  constructor(codes: readonly number[]) {
    this.needle = Uint16Array.from(codes, canonicalize);
    this.fallback = new Int32Array(codes.length);
    for (let k = 1, border = 0; k < codes.length; k++) {
      while (border > 0 && this.needle[k] !== this.needle[border]) border = this.fallback[border - 1]!;
      if (this.needle[k] === this.needle[border]) border++;
      this.fallback[k] = border;
    }
    this.starters = codes.length === 0 ? [] : foldVariants(this.needle[0]!).map((code) => String.fromCharCode(code));
    this.nextStarter = new Int32Array(this.starters.length);
    const starterCodes = this.starters.map((starter) => starter.charCodeAt(0));
    this.starterA = starterCodes[0] ?? -1;
    this.starterB = starterCodes[1] ?? this.starterA;
    this.manyStarters = starterCodes.length > 2;
  }

  foundIn(text: string): boolean {
    const { needle, fallback } = this;
    const length = needle.length;
    if (length === 0) return true;
    const { starterA, starterB, manyStarters } = this;
    this.nextStarter.fill(NOT_SOUGHT);
    for (let i = 0; ; ) {
      // Go to the next place where a match can start: a few characters inline (in a run like
      // "eeee" a call per character would cost more), then by indexOf.
      const stop = Math.min(i + INLINE_SCAN, text.length);
      for (; i < stop; i++) {
        const code = text.charCodeAt(i);
        if (code === starterA || code === starterB || (manyStarters && canonicalize(code) === needle[0])) break;
      }
      if (i === stop) i = this.nextStart(text, i);
      if (i < 0) return false;
      // Knuth–Morris–Pratt from there, for as long as some prefix of the needle is matched.
      let matched = 1;
      for (i++; matched < length; i++) {
        if (i === text.length) return false;
        const code = canonicalize(text.charCodeAt(i));
        while (matched > 0 && needle[matched] !== code) matched = fallback[matched - 1]!;
        if (needle[matched] === code) matched++;
        else break;
      }
      if (matched === length) return true;
    }
  }

  /** The first position at or after `from` holding a starter, or -1. */
  private nextStart(text: string, from: number): number {
    const { starters, nextStarter } = this;
    let first = -1;
    for (let k = 0; k < starters.length; k++) {
      let at = nextStarter[k]!;
      if (at !== -1 && at < from) {
        at = text.indexOf(starters[k]!, from);
        nextStarter[k] = at;
      }
      if (at !== -1 && (first === -1 || at < first)) first = at;
    }
    return first;
  }
}
