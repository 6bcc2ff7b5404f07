// Character classes of a program for the lazy DFA (dfa.ts): code units that every
// instruction treats alike share a class, so the DFA's transition table has one column per class
// (a handful for most patterns) instead of one per UTF-16 code unit (65,536).
import { canonicalize, inRanges, isLineTerminator, isWordCode } from './charset.ts';
import { ASSERT_NOT_WORD_BOUNDARY, ASSERT_WORD_BOUNDARY, OP_ANY, OP_ASSERT, OP_CHAR, OP_SET, type Program } from './vm.ts';

const LINE_TERMINATORS = [0x0a, 0x0d, 0x2028, 0x2029];
const WORD_RANGES = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];

/**
 * Classes are computed on canonical (case-folded) code units, which is all that the instructions
 * look at: OP_CHAR and OP_SET compare canonical forms, and `.` and `\b` give the same answer for
 * a code unit and its canonical form (line terminators fold to themselves, and no non-ASCII code
 * unit folds onto an ASCII word character).
 */
export class CharClasses {
  readonly count: number;
  /** The class of each ASCII code unit, folding included: the hot loop's only lookup. */
  readonly ascii: Uint16Array;
  /** A canonical member of each class: stepping on it stands for stepping on any member. */
  readonly representative: Int32Array;
  /** 1 where the class is made of \w characters (what `\b` looks at). */
  readonly isWord: Uint8Array;
  /** Canonical code units where a run of same-class code units starts, ascending from 0. */
  private readonly starts: Uint16Array;
  private readonly runClass: Uint16Array;

  constructor(program: Program) {
    const predicates = distinctPredicates(program);
    const wordMatters = program.op.some((op, pc) => op === OP_ASSERT && isWordAssertion(program.arg[pc]!));
    this.starts = runStarts(predicates, wordMatters);
    this.runClass = new Uint16Array(this.starts.length);
    const classBySignature = new Map<string, number>();
    const representative: number[] = [];
    const isWord: number[] = [];
    this.starts.forEach((start, run) => {
      const word = wordMatters && isWordCode(start);
      let signature = word ? '1' : '0';
      for (const predicate of predicates) signature += predicate.accepts(start) ? '1' : '0';
      let id = classBySignature.get(signature);
      if (id === undefined) {
        id = representative.length;
        classBySignature.set(signature, id);
        representative.push(start);
        isWord.push(word ? 1 : 0);
      }
      this.runClass[run] = id;
    });
    this.count = representative.length;
    this.representative = Int32Array.from(representative);
    this.isWord = Uint8Array.from(isWord);
    this.ascii = new Uint16Array(0x80);
    for (let code = 0; code < 0x80; code++) this.ascii[code] = this.ofCanonical(canonicalize(code));
  }

  /** The class of any code unit; the hot loop inlines the ASCII case and calls this for the rest. */
  of(code: number): number {
    return code < 0x80 ? this.ascii[code]! : this.ofCanonical(canonicalize(code));
  }

  private ofCanonical(canonical: number): number {
    // The last run starting at or before `canonical` (starts[0] is 0).
    const { starts } = this;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= canonical) lo = mid;
      else hi = mid - 1;
    }
    return this.runClass[lo]!;
  }
}

function isWordAssertion(assertion: number): boolean {
  return assertion === ASSERT_WORD_BOUNDARY || assertion === ASSERT_NOT_WORD_BOUNDARY;
}

interface Predicate {
  readonly accepts: (canonical: number) => boolean;
  /** Inclusive [lo, hi] pairs outside which `accepts` is constant: where classes must split. */
  readonly edges: ArrayLike<number>;
}

/** What each consuming instruction accepts, once per distinct test (`(.*[a-z]){20}` has two). */
function distinctPredicates(program: Program): Predicate[] {
  const { op, arg, alt, sets } = program;
  const byKey = new Map<string, Predicate>();
  for (let pc = 0; pc < op.length; pc++) {
    const code = arg[pc]!;
    if (op[pc] === OP_CHAR) {
      byKey.set(`c${code}`, { accepts: (canonical) => canonical === code, edges: [code, code] });
    } else if (op[pc] === OP_ANY) {
      const edges = LINE_TERMINATORS.flatMap((terminator) => [terminator, terminator]);
      byKey.set('any', { accepts: (canonical) => !isLineTerminator(canonical), edges });
    } else if (op[pc] === OP_SET) {
      const set = sets[code]!;
      const negated = alt[pc] === 1;
      byKey.set(`s${negated ? '^' : ''}${set.join()}`, { accepts: (canonical) => inRanges(set, canonical) !== negated, edges: set });
    }
  }
  return [...byKey.values()];
}

/** Every canonical code unit where some predicate (or word-ness) may change its answer. */
function runStarts(predicates: readonly Predicate[], wordMatters: boolean): Uint16Array {
  const points = new Set<number>([0]);
  const addEdges = (ranges: ArrayLike<number>) => {
    for (let i = 0; i < ranges.length; i += 2) points.add(ranges[i]!).add(ranges[i + 1]! + 1);
  };
  for (const predicate of predicates) addEdges(predicate.edges);
  if (wordMatters) addEdges(WORD_RANGES);
  return Uint16Array.from([...points].filter((point) => point <= 0xffff).sort((a, b) => a - b));
}
