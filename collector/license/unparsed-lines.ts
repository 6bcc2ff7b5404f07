// Lines a parser did not recognise: each is logged once (per origin and text), never again however
// often a poll prints it, so a new lmutil version's extra line is noticed without flooding the log.
// The count still goes out with every poll's metrics (`poll.unparsedLines`).
import type { Logger } from '../../shared/logger.ts';
import type { UnparsedLine } from '../parsers/types.ts';
import type { UserPrivacy } from '../privacy/user-privacy.ts';

/** Distinct lines remembered; beyond this the oldest are forgotten (and may be logged again). */
const REMEMBERED = 10_000;

export class UnparsedLines {
  private readonly seen = new Set<string>();
  total = 0;

  constructor(private readonly logger: Logger) {}

  /** Under `privacy.users` other than plain the text is not logged: a line not understood may hold a user name anywhere. */
  report(origin: string, lines: readonly UnparsedLine[], privacy: UserPrivacy): void {
    this.total += lines.length;
    for (const { line, text } of lines) {
      const id = `${origin}\n${text}`;
      if (this.seen.has(id)) continue;
      if (this.seen.size >= REMEMBERED) this.seen.delete(this.seen.values().next().value!);
      this.seen.add(id);
      const shown = privacy.users === 'plain' ? { text } : { length: text.length, textWithheld: `privacy.users: ${privacy.users}` };
      this.logger.warn({ origin, line, ...shown }, 'unrecognised line (logged once; counted in poll.unparsedLines)');
    }
  }
}
