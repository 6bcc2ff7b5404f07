// Case-insensitive substring search for plain-word patterns, the common case on the gateway's
// hot path: no lowercased copy of the message, no allocation per call, and Knuth–Morris–Pratt so
// that even a needle like "aaaab" costs O(message + needle), never O(message × needle).
import { canonicalize } from './pattern-charset.ts';

export class FoldedSearch {
  private readonly needle: Uint16Array;
  /** fallback[k]: length of the longest proper border of needle[0..k]: where to resume after a mismatch. */
  private readonly fallback: Int32Array;

  /** `codes`: the needle's UTF-16 code units, matched with JavaScript's /i folding. */
  constructor(codes: readonly number[]) {
    this.needle = Uint16Array.from(codes, canonicalize);
    this.fallback = new Int32Array(codes.length);
    for (let k = 1, border = 0; k < codes.length; k++) {
      while (border > 0 && this.needle[k] !== this.needle[border]) border = this.fallback[border - 1]!;
      if (this.needle[k] === this.needle[border]) border++;
      this.fallback[k] = border;
    }
  }

  foundIn(text: string): boolean {
    const { needle, fallback } = this;
    const length = needle.length;
    if (length === 0) return true;
    let matched = 0;
    for (let i = 0; i < text.length; i++) {
      const code = canonicalize(text.charCodeAt(i));
      while (matched > 0 && needle[matched] !== code) matched = fallback[matched - 1]!;
      if (needle[matched] === code && ++matched === length) return true;
    }
    return false;
  }
}
