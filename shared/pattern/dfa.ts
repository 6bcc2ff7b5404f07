// A lazily built DFA over a Pike VM program (RE2's approach). A DFA state is the set of VM
// threads that partial matches have reached at a position, so stepping every thread over a
// character is done once per (state, character class) and then cached: a cached transition costs
// one table load per character whatever the pattern. `(.*a){20}` runs through ~20 states instead
// of stepping ~80 VM instructions per character.
//
// Worst case per character:
// - cached transition: O(1), a class lookup and a table load;
// - new transition: O(P log P) for a program of P instructions (≤ 2P instruction visits, a sort,
//   a hash lookup); at most one per character, and at most maxStates of them per cache flush;
// - cache thrashing (more live states than the cache holds, as `(a|b)*a(a|b){12}` on random
//   a/b): the search finishes in the Pike VM from where the DFA stood, O(P) per character (≤ 2P
//   instruction visits, ~3 ns each). A flush is allowed only once the DFA has gone through
//   MIN_CHARS_PER_STATE characters per cached state since the last one, so building states
//   costs at most ~2P/MIN_CHARS_PER_STATE visits per character on average.
// Either way a call is linear in the message length, and no worse than the VM alone.
import { CharClasses } from './classes.ts';
import {
  ASSERT_END,
  ASSERT_START,
  ASSERT_WORD_BOUNDARY,
  advancesOn,
  OP_ASSERT,
  OP_JUMP,
  OP_MATCH,
  OP_SPLIT,
  PikeVm,
  type Program,
} from './vm.ts';

export interface DfaLimits {
  /** States cached at most before the cache is flushed (or the search handed to the VM). */
  readonly maxStates: number;
  /** Bytes of transition table and state keys at most, per compiled pattern. */
  readonly memoryBudget: number;
}

/** ~256 KB per pattern at most; most patterns need a few dozen states, a few KB. */
export const DEFAULT_DFA_LIMITS: DfaLimits = { maxStates: 2000, memoryBudget: 256 * 1024 };

/** RE2's rule: a cache that fills faster than this is thrashing; flushing it would not pay. */
const MIN_CHARS_PER_STATE = 10;
/** Map entry, key string header and array slots of a state, beyond its table row and key chars. */
const STATE_OVERHEAD_BYTES = 64;

// Table entries below 0: not computed yet, or the outcome of the search.
const UNKNOWN = -1;
const MATCH = -2;
const DEAD = -3;
const THRASHING = -4;

// A state's first key character: what its pending assertions need to know about the position.
const AT_START = 1;
const AFTER_WORD = 2;
// Closure contexts: the state flags plus what the next character tells.
const BEFORE_WORD = 4;
const AT_END = 8;
/** Assertions are left pending in the state, to be resolved when the next character is known. */
const PENDING = 16;

/** Gives PikeVm's answers, caching its work between calls. Not reentrant. */
export class LazyDfa {
  /** Work of the last call: characters the DFA went through, plus instructions visited building states and by the VM after a handoff. */
  steps = 0;
  /** Cache flushes, and searches finished in the VM, so far: lets tests see the cache-full paths taken. */
  flushes = 0;
  handoffs = 0;

  private readonly stride: number;
  /**
   * Row per state, column per class: the next state, or a negative outcome. A state is named by
   * the offset of its row (its index × stride), which saves the hot loop a multiplication.
   */
  private table: Int32Array;
  /** Per state index: 0 not computed yet, 1 a match ends at the end of the input, 2 none does. */
  private endAccepts: Int8Array;
  /** A state's key: its flags, then its sorted pending instructions, one char each. */
  private readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();
  private memoryUsed = 0;
  private readonly startKey: string | number;
  private start: number;
  /** Characters the DFA went through since the last flush, over all calls. */
  private charsSinceFlush = 0;
  /** Where, in the current call, characters stop being counted in charsSinceFlush. */
  private countedTo = 0;

  /** Scratch space for building a state: never more entries than instructions. */
  private readonly closed: Int32Array;
  private readonly pending: Int32Array;
  private readonly stack: Int32Array;
  private readonly marks: Int32Array;
  private generation = 0;

  private readonly classes: CharClasses;
  /** Where a search goes when the cache thrashes. */
  private readonly vm: PikeVm;

  constructor(
    private readonly program: Program,
    private readonly limits: DfaLimits = DEFAULT_DFA_LIMITS,
  ) {
    this.classes = new CharClasses(program);
    this.vm = new PikeVm(program);
    const size = program.op.length;
    this.closed = new Int32Array(size);
    this.pending = new Int32Array(size);
    this.stack = new Int32Array(2 * size + 1);
    this.marks = new Int32Array(size);
    this.stride = this.classes.count;
    this.table = new Int32Array(8 * this.stride).fill(UNKNOWN);
    this.endAccepts = new Int8Array(8);
    this.startKey = this.startStateKey();
    this.start = this.stateFor(this.startKey);
  }

  matches(input: string): boolean {
    this.steps = 0;
    this.countedTo = 0;
    const { ascii } = this.classes;
    let table = this.table;
    let state = this.start;
    let pos = 0;
    for (; state >= 0 && pos < input.length; pos++) {
      const code = input.charCodeAt(pos);
      const cls = code < 0x80 ? ascii[code]! : this.classes.of(code);
      let next = table[state + cls]!;
      if (next === UNKNOWN) {
        next = this.addTransition(state, cls, pos);
        table = this.table;
        if (next === THRASHING) return this.finishInVm(input, pos, state);
      }
      state = next;
    }
    this.countChars(pos);
    return state >= 0 ? this.acceptsAtEnd(state) : state === MATCH;
  }

  private countChars(pos: number): void {
    this.steps += pos;
    this.charsSinceFlush += pos - this.countedTo;
    this.countedTo = pos;
  }

  private finishInVm(input: string, pos: number, state: number): boolean {
    this.handoffs++;
    this.countChars(pos);
    const key = this.keys[state / this.stride]!;
    const threads = this.pending;
    for (let i = 1; i < key.length; i++) threads[i - 1] = key.charCodeAt(i);
    const found = this.vm.matchesFrom(input, pos, threads, key.length - 1);
    this.steps += this.vm.steps;
    return found;
  }

  /** Computes, caches and returns the transition of `state` on class `cls` at `pos`. */
  private addTransition(state: number, cls: number, pos: number): number {
    const from = this.keys[state / this.stride]!;
    const outcome = this.successor(from, cls);
    if (typeof outcome === 'number') {
      this.table[state + cls] = outcome;
      return outcome;
    }
    let next = this.ids.get(outcome);
    if (next === undefined) {
      if (!this.hasRoomFor(outcome)) {
        if (this.charsSinceFlush + pos - this.countedTo < MIN_CHARS_PER_STATE * this.keys.length) return THRASHING;
        this.flush(pos);
        state = this.stateFor(from);
      }
      next = this.stateFor(outcome);
    }
    this.table[state + cls] = next;
    return next;
  }

  private hasRoomFor(key: string): boolean {
    return this.keys.length < this.limits.maxStates && this.memoryUsed + this.stateBytes(key) <= this.limits.memoryBudget;
  }

  private stateBytes(key: string): number {
    return 4 * this.stride + 2 * key.length + STATE_OVERHEAD_BYTES;
  }

  /** Empties the cache, keeping the start state; the caller re-adds the state it stands on. */
  private flush(pos: number): void {
    this.flushes++;
    this.table.fill(UNKNOWN, 0, this.keys.length * this.stride);
    this.endAccepts.fill(0, 0, this.keys.length);
    this.keys.length = 0;
    this.ids.clear();
    this.memoryUsed = 0;
    this.charsSinceFlush = 0;
    this.countedTo = pos;
    this.start = this.stateFor(this.startKey);
  }

  /** The row of a state (interned if new), or the outcome (MATCH, DEAD) that keyOf gave instead. */
  private stateFor(key: string | number): number {
    if (typeof key === 'number') return key;
    return this.ids.get(key) ?? this.intern(key);
  }

  private intern(key: string): number {
    const id = this.keys.length;
    if ((id + 1) * this.stride > this.table.length) {
      const table = new Int32Array(2 * this.table.length).fill(UNKNOWN);
      table.set(this.table);
      this.table = table;
      const endAccepts = new Int8Array(2 * this.endAccepts.length);
      endAccepts.set(this.endAccepts);
      this.endAccepts = endAccepts;
    }
    this.keys.push(key);
    this.ids.set(key, id * this.stride);
    this.memoryUsed += this.stateBytes(key);
    return id * this.stride;
  }

  private startStateKey(): string | number {
    this.newGeneration();
    const count = this.closure(0, this.pending, 0, PENDING | AT_START);
    return this.keyOf(AT_START, count);
  }

  /**
   * The key of the state after `key` reads a character of class `cls`, or the outcome: MATCH
   * also when a match ends before that character (through assertions it settles), DEAD when an
   * anchored pattern has no thread left.
   */
  private successor(key: string, cls: number): string | number {
    const { op, arg, alt, sets, anchoredStart } = this.program;
    const { representative, isWord } = this.classes;
    // Settle the pending assertions: the position is now known to precede a `cls` character.
    const context = key.charCodeAt(0) | (isWord[cls] === 1 ? BEFORE_WORD : 0);
    this.newGeneration();
    let count = 0;
    for (let i = 1; i < key.length; i++) count = this.closure(key.charCodeAt(i), this.closed, count, context);
    // Canonical, as advancesOn wants: classes are computed on canonical code units.
    const code = representative[cls]!;
    this.newGeneration();
    let nextCount = 0;
    for (let i = 0; i < count; i++) {
      const pc = this.closed[i]!;
      if (op[pc] === OP_MATCH) return MATCH;
      if (advancesOn(op, arg, alt, sets, pc, code)) nextCount = this.closure(pc + 1, this.pending, nextCount, PENDING);
    }
    // Unanchored search: the `.*?` prefix, a new match attempt from the next position.
    if (!anchoredStart) nextCount = this.closure(0, this.pending, nextCount, PENDING);
    return this.keyOf(isWord[cls] === 1 ? AFTER_WORD : 0, nextCount);
  }

  private acceptsAtEnd(state: number): boolean {
    const id = state / this.stride;
    if (this.endAccepts[id] === 0) {
      const key = this.keys[id]!;
      const context = key.charCodeAt(0) | AT_END;
      this.newGeneration();
      let count = 0;
      for (let i = 1; i < key.length; i++) count = this.closure(key.charCodeAt(i), this.closed, count, context);
      let accepts = false;
      for (let i = 0; i < count; i++) if (this.program.op[this.closed[i]!] === OP_MATCH) accepts = true;
      this.endAccepts[id] = accepts ? 1 : 2;
    }
    return this.endAccepts[id] === 1;
  }

  /**
   * The key of the state whose threads are `pending[0..count)`: sorted, so that equal sets are
   * one state, with the flags only if an assertion needs them. Or the outcome if it is decided:
   * DEAD with no thread left, MATCH with a thread at the end of the program.
   */
  private keyOf(flags: number, count: number): string | number {
    if (count === 0) return DEAD;
    const threads = this.pending.subarray(0, count).sort();
    let needsFlags = false;
    for (let i = 0; i < count; i++) {
      const op = this.program.op[threads[i]!];
      if (op === OP_MATCH) return MATCH;
      if (op === OP_ASSERT) needsFlags = true;
    }
    return String.fromCharCode(needsFlags ? flags : 0, ...threads);
  }

  /**
   * Adds `start` and what it reaches without consuming a character to `list[count..]`; returns
   * the new count. Stores instructions that consume a character and MATCH; assertions are
   * followed if `context` settles them, stored if it is PENDING (except `^` past the start, which
   * can never hold).
   */
  private closure(start: number, list: Int32Array, count: number, context: number): number {
    const { op, arg, alt } = this.program;
    const { stack, marks, generation } = this;
    let top = 0;
    stack[top++] = start;
    while (top > 0) {
      const pc = stack[--top]!;
      if (marks[pc] === generation) continue;
      marks[pc] = generation;
      this.steps++;
      switch (op[pc]) {
        case OP_JUMP:
          stack[top++] = arg[pc]!;
          break;
        case OP_SPLIT:
          stack[top++] = alt[pc]!;
          stack[top++] = arg[pc]!;
          break;
        case OP_ASSERT:
          if ((context & PENDING) === 0) {
            if (assertionHolds(arg[pc]!, context)) stack[top++] = pc + 1;
          } else if (arg[pc] !== ASSERT_START || (context & AT_START) !== 0) {
            list[count++] = pc;
          }
          break;
        default:
          list[count++] = pc;
      }
    }
    return count;
  }

  private newGeneration(): void {
    // Marks are cleared only when the counter wraps (after 2^31 state constructions).
    if (this.generation === 0x7fffffff) {
      this.marks.fill(0);
      this.generation = 0;
    }
    this.generation++;
  }
}

function assertionHolds(assertion: number, context: number): boolean {
  if (assertion === ASSERT_START) return (context & AT_START) !== 0;
  if (assertion === ASSERT_END) return (context & AT_END) !== 0;
  const boundary = ((context & AFTER_WORD) !== 0) !== ((context & BEFORE_WORD) !== 0);
  return boundary === (assertion === ASSERT_WORD_BOUNDARY);
}
