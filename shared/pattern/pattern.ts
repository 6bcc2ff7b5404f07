// The `pattern` log filter: a case-insensitive search of the message with a RegExp-like syntax
// that a hostile client cannot turn into a CPU bomb. Matching time is linear in the message
// length whatever the pattern (no backtracking: a lazily built DFA, dfa.ts, over a Pike
// VM program, vm.ts).
import { FoldedSearch } from './folded-search.ts';
import { LazyDfa } from './dfa.ts';
import { parsePattern, type PatternNode } from './parser.ts';
import { compileProgram } from './program.ts';

export { PatternSyntaxError } from './syntax-error.ts';

/** True if the message matches. Reuses state owned by the compiled pattern: not reentrant. */
export type PatternMatcher = (message: string) => boolean;

/**
 * Compiles a filter pattern once, at subscribe time. Throws PatternSyntaxError with the problem
 * and its position when the pattern is outside the supported syntax or too large once expanded.
 */
export function compilePattern(pattern: string): PatternMatcher {
  const tree = parsePattern(pattern);
  const literal = literalCodes(tree);
  if (literal !== null) {
    // Plain words ("utilization", "DENIED", "flexlm\.log"): a substring search, no VM at all.
    const search = new FoldedSearch(literal);
    return (message) => search.foundIn(message);
  }
  const dfa = new LazyDfa(compileProgram(tree));
  const required = requiredRun(tree);
  if (required.length === 0) return (message) => dfa.matches(message);
  // Most messages lack the pattern's words ("denied.*Maya"): a scan for a literal rejects them
  // for less than the DFA's per-character cost.
  const prefilter = new FoldedSearch(required);
  return (message) => prefilter.foundIn(message) && dfa.matches(message);
}

/** The code units of a pattern that is only literal characters, else null. */
function literalCodes(tree: PatternNode): number[] | null {
  if (tree.kind === 'char') return [tree.code];
  if (tree.kind !== 'concat') return null;
  const codes: number[] = [];
  for (const item of tree.items) {
    if (item.kind !== 'char') return null;
    codes.push(item.code);
  }
  return codes;
}

/** The longest run of literal characters that every match must contain (empty if none). */
function requiredRun(tree: PatternNode): number[] {
  if (tree.kind !== 'concat') return [];
  let longest: number[] = [];
  let run: number[] = [];
  for (const item of tree.items) {
    if (item.kind === 'char') {
      run.push(item.code);
      if (run.length > longest.length) longest = run;
    } else {
      run = [];
    }
  }
  return longest;
}
