// Pattern syntax → tree. The syntax is a subset of JavaScript's RegExp (no `u` flag) chosen so
// that every accepted pattern can be matched in linear time: no backreferences, no lookaround.
// Where JavaScript's web-compatibility rules (Annex B) accept a stray `{`, `}` or `]` as a literal,
// so do we, so a pattern that works in a browser console works here.
import { complement, DIGIT, type Ranges, SPACE, WORD } from './charset.ts';
import { PatternSyntaxError } from './syntax-error.ts';

/** Bounds of `{m,n}`: keeps the compiled program (and so the time per character) small. */
export const MAX_REPEAT = 100;

export type AssertionKind = 'start' | 'end' | 'wordBoundary' | 'notWordBoundary';

export type PatternNode =
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'any' }
  | { readonly kind: 'set'; readonly ranges: Ranges; readonly negated: boolean }
  | { readonly kind: 'assert'; readonly test: AssertionKind }
  | { readonly kind: 'concat'; readonly items: readonly PatternNode[] }
  | { readonly kind: 'alt'; readonly options: readonly PatternNode[] }
  /** `max` is Infinity for `*`, `+` and `{m,}`; `at` is where the quantifier starts, for errors. */
  | { readonly kind: 'repeat'; readonly item: PatternNode; readonly min: number; readonly max: number; readonly at: number };

const NOT_DIGIT = complement(DIGIT);
const NOT_WORD = complement(WORD);
const NOT_SPACE = complement(SPACE);
const SINGLE_ESCAPES: Readonly<Record<string, number>> = { t: 0x09, n: 0x0a, v: 0x0b, f: 0x0c, r: 0x0d };
const SET_ESCAPES: Readonly<Record<string, Ranges>> = {
  d: DIGIT,
  D: NOT_DIGIT,
  w: WORD,
  W: NOT_WORD,
  s: SPACE,
  S: NOT_SPACE,
};

/** Throws PatternSyntaxError on anything outside the supported syntax. */
export function parsePattern(source: string): PatternNode {
  return new Parser(source).parse();
}

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): PatternNode {
    const node = this.alternation();
    // alternation() stops early only at a ")" that no group opened.
    if (this.pos < this.src.length) throw new PatternSyntaxError('unbalanced ")"', this.pos);
    return node;
  }

  private alternation(): PatternNode {
    const options = [this.sequence()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): PatternNode {
    const items: PatternNode[] = [];
    for (let c = this.src[this.pos]; c !== undefined && c !== '|' && c !== ')'; c = this.src[this.pos]) {
      const isGroup = c === '(';
      const node = this.quantified(this.atom(), isGroup);
      // Unquantified groups are spliced in, so the literal runs the matcher looks for are visible.
      if (node.kind === 'concat') items.push(...node.items);
      else items.push(node);
    }
    return items.length === 1 ? items[0]! : { kind: 'concat', items };
  }

  /** `isGroup`: `(^)*` is valid where `^*` is not, though both parse to the same assertion. */
  private quantified(item: PatternNode, isGroup: boolean): PatternNode {
    const at = this.pos;
    let min: number;
    let max: number;
    switch (this.src[this.pos]) {
      case '*':
        [min, max] = [0, Infinity];
        this.pos++;
        break;
      case '+':
        [min, max] = [1, Infinity];
        this.pos++;
        break;
      case '?':
        [min, max] = [0, 1];
        this.pos++;
        break;
      case '{': {
        const bounds = this.braces();
        if (bounds === null) return item;
        [min, max] = bounds;
        break;
      }
      default:
        return item;
    }
    if (item.kind === 'assert' && !isGroup) throw new PatternSyntaxError('nothing to repeat', at);
    // A lazy quantifier changes which match is found, never whether one is: accept and ignore.
    if (this.src[this.pos] === '?') this.pos++;
    return { kind: 'repeat', item, min, max, at };
  }

  /** `{m}`, `{m,}` or `{m,n}` at pos, consumed; null (nothing consumed) if the brace is a literal. */
  private braces(): [number, number] | null {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
    if (match === null) return null;
    const at = this.pos;
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === '' ? Infinity : Number(match[3]);
    if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) {
      throw new PatternSyntaxError(`repetition count over ${MAX_REPEAT}`, at);
    }
    if (min > max) throw new PatternSyntaxError('numbers out of order in {}', at);
    this.pos += match[0].length;
    return [min, max];
  }

  private atom(): PatternNode {
    const at = this.pos;
    const c = this.src[this.pos]!;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '\\':
        return this.atomEscape();
      case '.':
        this.pos++;
        return { kind: 'any' };
      case '^':
        this.pos++;
        return { kind: 'assert', test: 'start' };
      case '$':
        this.pos++;
        return { kind: 'assert', test: 'end' };
      case '*':
      case '+':
      case '?':
        throw new PatternSyntaxError('nothing to repeat', at);
      case '{':
        if (this.braces() !== null) throw new PatternSyntaxError('nothing to repeat', at);
        break;
    }
    this.pos++;
    return { kind: 'char', code: c.charCodeAt(0) };
  }

  private group(): PatternNode {
    const open = this.pos;
    this.pos++;
    if (this.src[this.pos] === '?') {
      const rest = this.src.slice(this.pos);
      if (rest.startsWith('?:')) this.pos += 2;
      else if (/^\?(=|!|<=|<!)/.test(rest)) throw new PatternSyntaxError('lookaround is not supported', open);
      else throw new PatternSyntaxError('only "(" and "(?:" groups are supported', open);
    }
    const inner = this.alternation();
    if (this.src[this.pos] !== ')') throw new PatternSyntaxError('unclosed "("', open);
    this.pos++;
    return inner;
  }

  private charClass(): PatternNode {
    const open = this.pos;
    this.pos++;
    const negated = this.src[this.pos] === '^';
    if (negated) this.pos++;
    const ranges: number[] = [];
    const add = (member: number | Ranges) =>
      typeof member === 'number' ? ranges.push(member, member) : ranges.push(...member);
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) throw new PatternSyntaxError('unclosed "["', open);
      if (c === ']') break;
      const from = this.pos;
      const first = this.classAtom();
      const isRange = this.src[this.pos] === '-' && this.pos + 1 < this.src.length && this.src[this.pos + 1] !== ']';
      if (!isRange) {
        add(first);
        continue;
      }
      this.pos++;
      const last = this.classAtom();
      if (typeof first === 'number' && typeof last === 'number') {
        if (first > last) throw new PatternSyntaxError('range out of order in []', from);
        ranges.push(first, last);
      } else {
        // [\w-.] : a range with a set at either end is a set, "-" and the other end (Annex B).
        add(first);
        add(0x2d);
        add(last);
      }
    }
    this.pos++;
    return { kind: 'set', ranges, negated };
  }

  private classAtom(): number | Ranges {
    if (this.src[this.pos] !== '\\') return this.src.charCodeAt(this.pos++);
    if (this.src[this.pos + 1] === 'b') {
      this.pos += 2;
      return 0x08; // inside [], \b is backspace as in JavaScript
    }
    return this.escape();
  }

  private atomEscape(): PatternNode {
    const next = this.src[this.pos + 1];
    if (next === 'b' || next === 'B') {
      this.pos += 2;
      return { kind: 'assert', test: next === 'b' ? 'wordBoundary' : 'notWordBoundary' };
    }
    const escaped = this.escape();
    return typeof escaped === 'number' ? { kind: 'char', code: escaped } : { kind: 'set', ranges: escaped, negated: false };
  }

  /** The escape at pos (a backslash): a code unit, or a set for \d \w \s and their negations. */
  private escape(): number | Ranges {
    const at = this.pos;
    const e = this.src[this.pos + 1];
    if (e === undefined) throw new PatternSyntaxError('"\\" at the end of the pattern', at);
    this.pos += 2;
    const set = SET_ESCAPES[e];
    if (set !== undefined) return set;
    const single = SINGLE_ESCAPES[e];
    if (single !== undefined) return single;
    if (e === 'x') return this.hex(2, at);
    if (e === 'u') return this.hex(4, at);
    if (e === '0') {
      if (/[0-9]/.test(this.src[this.pos] ?? '')) throw new PatternSyntaxError('octal escapes are not supported', at);
      return 0;
    }
    if (/[1-9k]/.test(e)) throw new PatternSyntaxError('backreferences are not supported', at);
    if (/[A-Za-z0-9]/.test(e)) throw new PatternSyntaxError(`unknown escape "\\${e}"`, at);
    return e.charCodeAt(0); // \. \( \\ \- … : any other character stands for itself
  }

  private hex(digits: number, at: number): number {
    const text = this.src.slice(this.pos, this.pos + digits);
    if (!new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(text)) {
      throw new PatternSyntaxError(`"\\${this.src[at + 1]}" needs ${digits} hex digits`, at);
    }
    this.pos += digits;
    return parseInt(text, 16);
  }
}
