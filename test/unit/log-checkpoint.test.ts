// The debug-log checkpoint as stored in Redis: what is written reads back the same, and a damaged
// one is refused with a message that says what is wrong (the source then reads from the log's end).
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint, type LogCheckpoint } from '../../collector/sources/log-checkpoint.ts';

const checkpoint: LogCheckpoint = {
  position: { file: { dev: 2049, ino: 1234567, headBytes: 1024, headHash: '0123456789abcdef0123456789abcdef' }, offset: 98_765 },
  seq: 4321,
  carried: { date: { year: 2024, month: 1, day: 15 }, lastSecond: 36_000 },
};

describe('debug-log checkpoint', () => {
  it('reads back what was written, with and without a carried date', () => {
    expect(decodeCheckpoint(encodeCheckpoint(checkpoint))).toEqual(checkpoint);
    const undated = { ...checkpoint, carried: undefined };
    expect(decodeCheckpoint(encodeCheckpoint(undated))).toEqual(undated);
  });

  it('refuses a damaged checkpoint, saying what is wrong', () => {
    expect(() => decodeCheckpoint('{"v":1,')).toThrow('not JSON');
    expect(() => decodeCheckpoint(encodeCheckpoint(checkpoint).replace('"offset":98765', '"offset":-1'))).toThrow(/offset/);
    expect(() => decodeCheckpoint(encodeCheckpoint(checkpoint).replace('"v":1', '"v":2'))).toThrow(/v:/);
    expect(() => decodeCheckpoint(JSON.stringify({ v: 1, offset: 1, seq: 1 }))).toThrow(/file/);
  });
});
