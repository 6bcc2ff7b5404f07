// The tailer on a real file in a temp directory: appends, rotation, truncation, stop, and resuming
// at a line's position after a restart (same file, rotated, truncated, replaced).
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LogTailer, type LogTailerOptions, type ResumeOutcome, type TailPosition } from '../../collector/sources/log-tailer.ts';

const WAIT_MS = 15_000;

/** A started tailer and every line it emitted so far, with an event-driven wait. */
interface Tail {
  tailer: LogTailer;
  lines: string[];
  positions: TailPosition[];
  outcome: ResumeOutcome | undefined;
  /** Resolves once `count` lines have come; rejects after WAIT_MS showing what did come. */
  waitForLines(count: number): Promise<string[]>;
}

let dir: string;
let path: string;
const tails: LogTailer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'log-tailer-'));
  path = join(dir, 'lmgrd.log');
});

afterEach(async () => {
  await Promise.all(tails.splice(0).map((t) => t.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function follow(options: Partial<LogTailerOptions> = {}): Promise<Tail> {
  const tailer = new LogTailer({ path, pollIntervalMs: 200, ...options });
  tails.push(tailer);
  const lines: string[] = [];
  const positions: TailPosition[] = [];
  tailer.on('line', (line, position) => void (lines.push(line), positions.push(position)));
  const tail: Tail = { tailer, lines, positions, outcome: undefined, waitForLines: (count) => waitForLines(count) };
  tailer.on('resumed', (outcome) => void (tail.outcome = outcome));
  const waitForLines = (count: number): Promise<string[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (lines.length < count) return;
        clearTimeout(timer);
        tailer.off('line', check);
        resolve(lines.slice(0, count));
      };
      const timer = setTimeout(() => {
        tailer.off('line', check);
        reject(new Error(`waited for ${count} lines, got ${lines.length}: ${JSON.stringify(lines)}`));
      }, WAIT_MS);
      tailer.on('line', check);
      check();
    });
  await tailer.start();
  return tail;
}

/** Tail the file from its start until `count` lines came, stop, and answer the last line's position. */
async function positionAfter(count: number): Promise<TailPosition> {
  const first = await follow({ fromStart: true });
  await first.waitForLines(count);
  await first.tailer.stop();
  return first.positions[count - 1]!;
}

describe('LogTailer', () => {
  it('reads the existing lines from the start, then appended ones, keeping a partial line until its newline', async () => {
    writeFileSync(path, 'one\ntwo\n');
    const tail = await follow({ fromStart: true });
    expect(await tail.waitForLines(2)).toEqual(['one', 'two']);
    appendFileSync(path, 'three\r\nfo');
    expect(await tail.waitForLines(3)).toEqual(['one', 'two', 'three']);
    appendFileSync(path, 'ur\n');
    expect(await tail.waitForLines(4)).toEqual(['one', 'two', 'three', 'four']);
  });

  it('starts at the end of the file by default', async () => {
    writeFileSync(path, 'old 1\nold 2\n');
    const tail = await follow();
    appendFileSync(path, 'new 1\n');
    expect(await tail.waitForLines(1)).toEqual(['new 1']);
  });

  it('keeps a UTF-8 character split between two writes whole', async () => {
    const tail = await follow();
    const bytes = Buffer.from('café ☕\n');
    writeFileSync(path, bytes.subarray(0, 4)); // cuts "é" in two
    appendFileSync(path, bytes.subarray(4));
    expect(await tail.waitForLines(1)).toEqual(['café ☕']);
  });

  it('follows a file created after it started, from its first line', async () => {
    const tail = await follow();
    writeFileSync(path, 'born 1\nborn 2\n');
    expect(await tail.waitForLines(2)).toEqual(['born 1', 'born 2']);
  });

  it('survives rotation: finishes the old file, then follows the new one', async () => {
    writeFileSync(path, 'a1\na2\n');
    const tail = await follow({ fromStart: true });
    await tail.waitForLines(2);
    const rotated = once(tail.tailer, 'rotated');
    renameSync(path, `${path}.1`);
    // The daemon still writes to the old file until it reopens, last line unterminated.
    appendFileSync(`${path}.1`, 'a3\na4 without newline');
    writeFileSync(path, 'b1\nb2\n');
    await rotated;
    appendFileSync(path, 'b3\n');
    expect(await tail.waitForLines(7)).toEqual(['a1', 'a2', 'a3', 'a4 without newline', 'b1', 'b2', 'b3']);
  });

  it('survives truncation: starts again at the beginning', async () => {
    writeFileSync(path, 'x1 a long line\nx2 another long line\n');
    const tail = await follow({ fromStart: true });
    await tail.waitForLines(2);
    const truncated = once(tail.tailer, 'truncated');
    truncateSync(path, 0);
    await truncated;
    appendFileSync(path, 'y1\ny2\n');
    expect(await tail.waitForLines(4)).toEqual(['x1 a long line', 'x2 another long line', 'y1', 'y2']);
  });

  it('survives a copytruncate: truncated and rewritten shorter before it looks', async () => {
    writeFileSync(path, 'before: a line long enough to be longer than what follows\n');
    const tail = await follow({ fromStart: true });
    await tail.waitForLines(1);
    writeFileSync(path, 'after\n'); // truncates and writes in one go
    expect(await tail.waitForLines(2)).toEqual(['before: a line long enough to be longer than what follows', 'after']);
  });

  it('loses no line of a busy writer across a rotation', async () => {
    const tail = await follow();
    const expected = Array.from({ length: 600 }, (_, i) => `${String(i).padStart(3, '0')} OUT: "Maya_Complete" user${i}@ws-${i % 50}`);
    const write = (from: number, to: number): void => {
      // Irregular chunks that cut lines anywhere, as a daemon's buffered writes do.
      const text = expected.slice(from, to).map((l) => `${l}\r\n`).join('');
      for (let at = 0; at < text.length; ) {
        const size = 1 + ((at * 7919) % 173);
        appendFileSync(path, text.slice(at, at + size));
        at += size;
      }
    };
    write(0, 300);
    await tail.waitForLines(150);
    renameSync(path, `${path}.1`);
    write(300, 600);
    expect(await tail.waitForLines(600)).toEqual(expected);
  });

  it('polls when fs.watch is off', async () => {
    const tail = await follow({ watch: false, pollIntervalMs: 50 });
    writeFileSync(path, 'polled\n');
    expect(await tail.waitForLines(1)).toEqual(['polled']);
  });

  it('emits nothing once stopped', async () => {
    writeFileSync(path, '');
    const stopped = await follow();
    await stopped.tailer.stop();
    const witness = await follow();
    appendFileSync(path, 'after stop\n');
    expect(await witness.waitForLines(1)).toEqual(['after stop']);
    expect(stopped.lines).toEqual([]);
  });

  it('gives each line its byte offset (after the newline, CRLF and multi-byte characters counted) in an identified file', async () => {
    writeFileSync(path, 'a\r\nMüller\nz\n');
    const tail = await follow({ fromStart: true });
    expect(await tail.waitForLines(3)).toEqual(['a', 'Müller', 'z']);
    expect(tail.positions.map((p) => p.offset)).toEqual([3, 11, 13]);
    expect(tail.positions[2]!.file).toMatchObject({ headBytes: 13 });
  });

  it('resumes exactly after a position: nothing repeated, nothing written meanwhile lost', async () => {
    writeFileSync(path, 'one\ntwo\n');
    const position = await positionAfter(2);
    appendFileSync(path, 'three\nfour\n');
    const tail = await follow({ resume: position });
    expect(await tail.waitForLines(2)).toEqual(['three', 'four']);
    expect(tail.outcome).toEqual({ kind: 'exact' });
  });

  it('resumes in a log rotated meanwhile: the old file\'s unread tail, then the new file', async () => {
    writeFileSync(path, 'one\ntwo\n');
    const position = await positionAfter(2);
    appendFileSync(path, 'three\nunterminated');
    renameSync(path, `${path}.1`);
    writeFileSync(path, 'new one\n');
    const tail = await follow({ resume: position });
    expect(await tail.waitForLines(3)).toEqual(['three', 'unterminated', 'new one']);
    expect(tail.outcome).toEqual({ kind: 'rotated', from: `${path}.1` });
  });

  it('restarts at the start of a log truncated meanwhile (copytruncate), and of one replaced by a longer file', async () => {
    writeFileSync(path, 'one\ntwo\nthree\n');
    let position = await positionAfter(3);
    truncateSync(path, 0);
    appendFileSync(path, 'after truncation, longer than the old offset\n');
    const truncated = await follow({ resume: position });
    expect(await truncated.waitForLines(1)).toEqual(['after truncation, longer than the old offset']);
    expect(truncated.outcome).toEqual({ kind: 'truncated' });
    await truncated.tailer.stop();

    position = truncated.positions[0]!;
    writeFileSync(`${path}.new`, 'a different file, longer than the old offset, in a new inode\nsecond\n');
    renameSync(`${path}.new`, path); // the old file is gone: no rotated file holds its tail
    const replaced = await follow({ resume: position });
    expect(await replaced.waitForLines(2)).toEqual(['a different file, longer than the old offset, in a new inode', 'second']);
    expect(replaced.outcome).toEqual({ kind: 'replaced' });
  });
});
