// Where the reading of a debug log stopped, as kept in Redis (Bus.commitCheckpoint) for the next
// collector to go on from: the file and the byte offset after the last line whose events are all
// published, the producer sequence number of the last of those events, and the date the parser
// carried there. Reading again from it numbers every event as before, so events already published
// (after the checkpoint, before a crash) are recognised by the bus and not published twice.
import { z } from 'zod';
import type { CarriedDate } from '../parsers/debuglog.ts';
import type { TailPosition } from './log-tailer.ts';

const count = z.number().int().nonnegative();

const LogCheckpointSchema = z.object({
  v: z.literal(1),
  file: z.object({ dev: count, ino: count, headBytes: count, headHash: z.string().regex(/^[0-9a-f]{32}$/) }),
  offset: count,
  seq: count,
  carried: z.object({ date: z.object({ year: count, month: count, day: count }), lastSecond: z.number().int() }).optional(),
});

export interface LogCheckpoint {
  readonly position: TailPosition;
  readonly seq: number;
  readonly carried: CarriedDate | undefined;
}

export function encodeCheckpoint({ position, seq, carried }: LogCheckpoint): string {
  return JSON.stringify({ v: 1, file: position.file, offset: position.offset, seq, ...(carried && { carried }) });
}

/** The checkpoint stored as `text`; throws an Error saying what is wrong with it. */
export function decodeCheckpoint(text: string): LogCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const parsed = LogCheckpointSchema.safeParse(json);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'checkpoint'}: ${i.message}`).join('; '));
  const { file, offset, seq, carried } = parsed.data;
  return { position: { file, offset }, seq, carried };
}
