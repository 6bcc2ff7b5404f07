// Lines a parser did not recognise: each is logged once (per origin and text), never again however
// often a poll prints it, so a new lmutil version's extra line is noticed without flooding the log.
// The count still goes out with every poll's metrics (`poll.unparsedLines`).
import type { Logger } from '../../shared/logger.ts';
import type { UnparsedLine } from '../parsers/types.ts';

/** Distinct lines remembered; beyond this the oldest are forgotten (and may be logged again). */
const REMEMBERED = 10_000;

export class UnparsedLines {
  private readonly seen = new Set<string>();
  total = 0;
  /** Lines counted per license server id (Prometheus: licmon_unparsed_lines_total). */
  readonly byServer = new Map<string, number>();

  constructor(private readonly logger: Logger) {}

  report(origin: string, lines: readonly UnparsedLine[], server: string): void {
    this.total += lines.length;
    if (lines.length > 0) this.byServer.set(server, (this.byServer.get(server) ?? 0) + lines.length);
    for (const { line, text } of lines) {
      const id = `${origin}\n${text}`;
      if (this.seen.has(id)) continue;
      if (this.seen.size >= REMEMBERED) this.seen.delete(this.seen.values().next().value!);
      this.seen.add(id);
      this.logger.warn({ origin, line, text }, 'unrecognised line (logged once; counted in poll.unparsedLines)');
    }
  }
}
