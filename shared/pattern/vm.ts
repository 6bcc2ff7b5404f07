// Pike VM: runs a Program over the input once, left to right, carrying the set of instructions
// that some partial match has reached. Each instruction enters the set at most once per position,
// so a call costs O(input length × program size) whatever the pattern: nested quantifiers like
// (a+)+$ that make a backtracking engine take exponential time are just a few more set members.
import { canonicalize, inRanges, isLineTerminator, isWordCode } from './charset.ts';

// The instruction set is defined here, beside the loop that runs it (program.ts emits
// it), so the hot loop compares against module-local constants rather than imported bindings,
// which some module loaders (vitest's, CommonJS interop) turn into getter calls.

/** Consumes one character equal (case-folded) to `arg`. */
export const OP_CHAR = 0;
/** Consumes one character other than a line terminator (`.`). */
export const OP_ANY = 1;
/** Consumes one character whose canonical form is in `sets[arg]`, or not in it when `alt` is 1. */
export const OP_SET = 2;
/** Continues at both `arg` and `alt`. */
export const OP_SPLIT = 3;
/** Continues at `arg`. */
export const OP_JUMP = 4;
/** Continues at the next instruction if assertion `arg` (an ASSERT_* code) holds here. */
export const OP_ASSERT = 5;
export const OP_MATCH = 6;

export const ASSERT_START = 0;
export const ASSERT_END = 1;
export const ASSERT_WORD_BOUNDARY = 2;
export const ASSERT_NOT_WORD_BOUNDARY = 3;

/** Parallel arrays, one entry per instruction; starts at 0. */
export interface Program {
  readonly op: Uint8Array;
  readonly arg: Int32Array;
  readonly alt: Int32Array;
  readonly sets: readonly Uint16Array[];
  /** Every match starts at position 0 (the pattern begins with ^): no need to try later starts. */
  readonly anchoredStart: boolean;
}

const NO_THREADS = new Int32Array(0);

// Int32, not Uint32: V8 keeps small integers unboxed, and uint32 loads can fall off that path.
const LAST_GENERATION = 0x7fffffff;

/**
 * One matcher per compiled pattern. Its state arrays are allocated once and reused by every
 * call, so the gateway's single thread matches without allocating; it is not reentrant.
 */
export class PikeVm {
  /** Instructions visited by the last `matches` call: lets tests prove the work is linear. */
  steps = 0;

  /** Thread lists of the current and the next position; they swap roles at each step. */
  private readonly listA: Int32Array;
  private readonly listB: Int32Array;
  /** Pending instructions of one epsilon closure; each instruction pushes at most two. */
  private readonly stack: Int32Array;
  /** marks[pc] === generation: pc is already in the set being built (one generation per position). */
  private readonly marks: Int32Array;
  private generation = 0;

  constructor(private readonly program: Program) {
    const size = program.op.length;
    this.listA = new Int32Array(size);
    this.listB = new Int32Array(size);
    this.stack = new Int32Array(2 * size + 1);
    this.marks = new Int32Array(size);
  }

  /** Whether the pattern matches anywhere in `input`. */
  matches(input: string): boolean {
    return this.matchesFrom(input, 0, NO_THREADS, 0);
  }

  /**
   * Whether the pattern matches `input`, the search having reached `start` with partial matches
   * at `threads[0..count)` (instructions not yet followed through jumps, splits and assertions):
   * how the lazy DFA hands a search over to the VM when its cache thrashes.
   */
  matchesFrom(input: string, start: number, threads: Int32Array, count: number): boolean {
    const { op, arg, alt, sets, anchoredStart } = this.program;
    const length = input.length;
    this.steps = 0;
    let current = this.listA;
    let next = this.listB;
    this.newGeneration();
    let threadCount = 0;
    for (let i = 0; i < count; i++) threadCount = this.addClosure(current, threadCount, threads[i]!, input, start);
    count = threadCount;
    for (let pos = start; ; pos++) {
      // Unanchored search: a new match attempt starts at every position, in the same set.
      if (pos === 0 || !anchoredStart) count = this.addClosure(current, count, 0, input, pos);
      if (count === 0 && anchoredStart) return false;
      if (pos === length) return this.holdsMatch(current, count);
      const folded = canonicalize(input.charCodeAt(pos));
      this.newGeneration();
      let nextCount = 0;
      for (let i = 0; i < count; i++) {
        const pc = current[i]!;
        this.steps++;
        if (op[pc] === OP_MATCH) return true;
        if (advancesOn(op, arg, alt, sets, pc, folded)) nextCount = this.addClosure(next, nextCount, pc + 1, input, pos + 1);
      }
      const done = current;
      current = next;
      next = done;
      count = nextCount;
    }
  }

  private holdsMatch(list: Int32Array, count: number): boolean {
    for (let i = 0; i < count; i++) if (this.program.op[list[i]!] === OP_MATCH) return true;
    return false;
  }

  /**
   * Adds `start` and everything reachable from it without consuming a character at `pos`
   * (jumps, splits, assertions that hold) to `list`; returns the new count. Only instructions
   * that consume a character, and MATCH, are stored.
   */
  private addClosure(list: Int32Array, count: number, start: number, input: string, pos: number): number {
    const { op, arg, alt } = this.program;
    const { stack, marks, generation } = this;
    let top = 0;
    let visited = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top]!;
      if (marks[pc] === generation) continue;
      marks[pc] = generation;
      visited++;
      switch (op[pc]) {
        case OP_JUMP:
          stack[top++] = arg[pc]!;
          break;
        case OP_SPLIT:
          stack[top++] = alt[pc]!;
          stack[top++] = arg[pc]!;
          break;
        case OP_ASSERT:
          if (assertionHolds(arg[pc]!, input, pos)) stack[top++] = pc + 1;
          break;
        default:
          list[count++] = pc;
      }
    }
    this.steps += visited;
    return count;
  }

  private newGeneration(): void {
    // Marks are never cleared between positions or calls; only when the counter wraps.
    if (this.generation === LAST_GENERATION) {
      this.marks.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }
}

/**
 * Whether the consuming instruction at `pc` (CHAR, ANY or SET, not MATCH) takes a character whose
 * canonical (case-folded) form is `canonical`: the one definition of what they consume, for the
 * VM and the lazy DFA alike. `.` may look at the canonical form because line terminators fold to
 * themselves and nothing else folds onto them. Small, so V8 inlines it into both loops; it takes
 * the program's arrays rather than the Program so that the loops pass the locals they already hold
 * (reading them through the object at every step made the VM measurably slower).
 */
export function advancesOn(
  op: Uint8Array,
  arg: Int32Array,
  alt: Int32Array,
  sets: readonly Uint16Array[],
  pc: number,
  canonical: number,
): boolean {
  switch (op[pc]) {
    case OP_CHAR:
      return arg[pc] === canonical;
    case OP_ANY:
      return !isLineTerminator(canonical);
    default: // OP_SET
      return inRanges(sets[arg[pc]!]!, canonical) !== (alt[pc] === 1);
  }
}

function assertionHolds(assertion: number, input: string, pos: number): boolean {
  if (assertion === ASSERT_START) return pos === 0;
  if (assertion === ASSERT_END) return pos === input.length;
  const before = pos > 0 && isWordCode(input.charCodeAt(pos - 1));
  const after = pos < input.length && isWordCode(input.charCodeAt(pos));
  return (before !== after) === (assertion === ASSERT_WORD_BOUNDARY);
}
