// Lines a parser did not recognise: each is logged once (per origin and text), never again however
// often a poll prints it, so a new lmutil version's extra line is noticed without flooding the log.
// The count still goes out with every poll's metrics (`poll.unparsedLines`), and is kept per
// license server (`countFor`, `counts`) for a metrics endpoint to read.
import type { Logger } from '../../shared/logger.ts';
import type { UnparsedLine } from '../parsers/types.ts';
import type { UserPrivacy } from '../privacy/user-privacy.ts';

/** Distinct lines remembered; beyond this the oldest are forgotten (and may be logged again). */
const REMEMBERED = 10_000;

export class UnparsedLines {
  private readonly seen = new Set<string>();
  private readonly perServer = new Map<string, number>();
  total = 0;

  constructor(private readonly logger: Logger) {}

  /**
   * Counts `lines` against `server` and logs each new one; `origin` says what was parsed. Under
   * `privacy.users` other than plain the text is not logged: a line not understood may hold a user name anywhere.
   */
  report(server: string, origin: string, lines: readonly UnparsedLine[], privacy: UserPrivacy): void {
    if (lines.length === 0) return;
    this.total += lines.length;
    this.perServer.set(server, this.countFor(server) + lines.length);
    for (const { line, text } of lines) {
      const id = `${origin}\n${text}`;
      if (this.seen.has(id)) continue;
      if (this.seen.size >= REMEMBERED) this.seen.delete(this.seen.values().next().value!);
      this.seen.add(id);
      const shown = privacy.users === 'plain' ? { text } : { length: text.length, textWithheld: `privacy.users: ${privacy.users}` };
      this.logger.warn({ server, origin, line, ...shown }, 'unrecognised line (logged once; counted in poll.unparsedLines)');
    }
  }

  /** Lines not understood in everything parsed for this server since the collector started. */
  countFor(server: string): number {
    return this.perServer.get(server) ?? 0;
  }

  /** Every server's count (servers with none are absent). */
  counts(): ReadonlyMap<string, number> {
    return this.perServer;
  }
}
