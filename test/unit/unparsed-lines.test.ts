import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { UnparsedLines } from '../../collector/license/unparsed-lines.ts';

/** A real pino logger writing into an array, to see what is logged. */
function capturingLogger() {
  const logged: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void logged.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, logged };
}

const PLAIN = { users: 'plain' } as const;

describe('UnparsedLines', () => {
  it('counts lines per server and logs each distinct line once, with its server and line number', () => {
    const { logger, logged } = capturingLogger();
    const unparsed = new UnparsedLines(logger);
    unparsed.report('flexlm-01', 'flexlm status of flexlm-01', [{ line: 7, text: 'a new lmutil line' }], PLAIN);
    unparsed.report('flexlm-01', 'flexlm status of flexlm-01', [{ line: 7, text: 'a new lmutil line' }], PLAIN);
    unparsed.report('rlm-01', 'rlm status of rlm-01', [
      { line: 3, text: 'something else' },
      { line: 4, text: 'and more' },
    ], PLAIN);
    unparsed.report('rlm-01', 'rlm status of rlm-01', [], PLAIN);

    expect(unparsed.countFor('flexlm-01')).toBe(2);
    expect(unparsed.countFor('rlm-01')).toBe(2);
    expect(unparsed.countFor('never-seen')).toBe(0);
    expect([...unparsed.counts()]).toEqual([
      ['flexlm-01', 2],
      ['rlm-01', 2],
    ]);
    expect(unparsed.total).toBe(4);
    expect(logged.map((l) => [l.server, l.line, l.text])).toEqual([
      ['flexlm-01', 7, 'a new lmutil line'],
      ['rlm-01', 3, 'something else'],
      ['rlm-01', 4, 'and more'],
    ]);
  });
});
