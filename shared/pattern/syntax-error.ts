/**
 * A `pattern` the engine refuses to compile. The message names the problem and the
 * 0-based index in the pattern where it was found (`unbalanced ")" at 7`), so it can be sent back
 * to the client as is.
 */
export class PatternSyntaxError extends Error {
  override readonly name = 'PatternSyntaxError';

  constructor(
    readonly problem: string,
    readonly position: number,
  ) {
    super(`${problem} at ${position}`);
  }
}
