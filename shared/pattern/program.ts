// Pattern tree → Thompson-NFA program for the Pike VM (vm.ts) and the lazy DFA built
// on it (dfa.ts). Counted repetition is expanded into copies, so the program size, which
// bounds the work per input character when the DFA cannot cache, is capped here: that cap, not
// the pattern's shape, is what limits a hostile client.
import { canonicalImage, canonicalize } from './charset.ts';
import type { AssertionKind, PatternNode } from './parser.ts';
import { PatternSyntaxError } from './syntax-error.ts';
import {
  ASSERT_END,
  ASSERT_NOT_WORD_BOUNDARY,
  ASSERT_START,
  ASSERT_WORD_BOUNDARY,
  OP_ANY,
  OP_ASSERT,
  OP_CHAR,
  OP_JUMP,
  OP_MATCH,
  OP_SET,
  OP_SPLIT,
  type Program,
} from './vm.ts';

/**
 * Instructions at most. A cached DFA transition costs O(1) per character whatever the size; a
 * pattern whose DFA thrashes (`(.*[a-m].{12}){30}` on log text) runs in the Pike VM at up to
 * ~2 × this many instruction visits per character: ~0.5 µs per character measured at this cap,
 * ~150 µs per 330-character message. 500 leaves room for any sensible log filter (`\w{100}`
 * is 100) while halving that worst case from the earlier 1000.
 */
export const MAX_PROGRAM_SIZE = 500;

const ASSERT_CODES: Readonly<Record<AssertionKind, number>> = {
  start: ASSERT_START,
  end: ASSERT_END,
  wordBoundary: ASSERT_WORD_BOUNDARY,
  notWordBoundary: ASSERT_NOT_WORD_BOUNDARY,
};


export function compileProgram(tree: PatternNode): Program {
  const emitter = new Emitter();
  emitter.node(tree);
  emitter.emit(OP_MATCH);
  return {
    op: Uint8Array.from(emitter.op),
    arg: Int32Array.from(emitter.arg),
    alt: Int32Array.from(emitter.alt),
    sets: emitter.sets,
    anchoredStart: startsAnchored(tree),
  };
}

function startsAnchored(node: PatternNode): boolean {
  if (node.kind === 'assert') return node.test === 'start';
  if (node.kind === 'concat') return node.items.length > 0 && startsAnchored(node.items[0]!);
  if (node.kind === 'alt') return node.options.every(startsAnchored);
  return false;
}

class Emitter {
  readonly op: number[] = [];
  readonly arg: number[] = [];
  readonly alt: number[] = [];
  readonly sets: Uint16Array[] = [];
  /** Where the outermost repetition being expanded starts: the part of the pattern to blame. */
  private expanding: number | null = null;

  emit(op: number, arg = 0, alt = 0): number {
    if (this.op.length === MAX_PROGRAM_SIZE) {
      // Checked per instruction, so `(a{100}){100}` fails after 1000 instructions, not 10,000.
      const problem = `pattern too large once its repetitions are expanded (limit ${MAX_PROGRAM_SIZE} states)`;
      throw new PatternSyntaxError(problem, this.expanding ?? 0);
    }
    this.op.push(op);
    this.arg.push(arg);
    this.alt.push(alt);
    return this.op.length - 1;
  }

  private get here(): number {
    return this.op.length;
  }

  node(node: PatternNode): void {
    switch (node.kind) {
      case 'char':
        this.emit(OP_CHAR, canonicalize(node.code));
        return;
      case 'any':
        this.emit(OP_ANY);
        return;
      case 'set':
        this.sets.push(canonicalImage(node.ranges));
        this.emit(OP_SET, this.sets.length - 1, node.negated ? 1 : 0);
        return;
      case 'assert':
        this.emit(OP_ASSERT, ASSERT_CODES[node.test]);
        return;
      case 'concat':
        for (const item of node.items) this.node(item);
        return;
      case 'alt':
        this.alternation(node.options);
        return;
      case 'repeat':
        this.repeat(node.item, node.min, node.max, node.at);
        return;
    }
  }

  /** SPLIT to each option but the last, each option jumping to the end. */
  private alternation(options: readonly PatternNode[]): void {
    const jumps: number[] = [];
    for (const option of options.slice(0, -1)) {
      const split = this.emit(OP_SPLIT, this.here + 1);
      this.node(option);
      jumps.push(this.emit(OP_JUMP));
      this.alt[split] = this.here;
    }
    this.node(options[options.length - 1]!);
    for (const jump of jumps) this.arg[jump] = this.here;
  }

  private repeat(item: PatternNode, min: number, max: number, at: number): void {
    const outermost = this.expanding === null;
    if (outermost) this.expanding = at;
    if (max === Infinity && min > 0) {
      // x{2,} = x x+, and x+ loops back over its own copy: L: x; SPLIT L, out.
      for (let i = 1; i < min; i++) this.node(item);
      const loop = this.here;
      this.node(item);
      this.emit(OP_SPLIT, loop, this.here + 1);
    } else if (max === Infinity) {
      // x* = L: SPLIT body, out; body; JUMP L.
      const split = this.emit(OP_SPLIT, this.here + 1);
      this.node(item);
      this.emit(OP_JUMP, split);
      this.alt[split] = this.here;
    } else {
      // x{2,4} = x x (SPLIT x)(SPLIT x), every SPLIT also going to the end.
      for (let i = 0; i < min; i++) this.node(item);
      const splits: number[] = [];
      for (let i = min; i < max; i++) {
        splits.push(this.emit(OP_SPLIT, this.here + 1));
        this.node(item);
      }
      for (const split of splits) this.alt[split] = this.here;
    }
    if (outermost) this.expanding = null;
  }
}
