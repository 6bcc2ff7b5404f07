// Follows a growing log file (a FlexLM debug log) in real time, like `tail -F`:
// - new bytes are read from the last offset on an fs.watch event of the file's directory, and
//   on a poll timer as a fallback (network file systems, missed events);
// - rotation (the file renamed away and a new one created at the path): the old file is read
//   to its end, its unterminated last line included, then the new file from its start;
// - truncation (the file shrinks below the offset, e.g. logrotate's copytruncate): reading
//   starts again at 0;
// - only complete lines are emitted, without their `\n` or `\r\n`; a partial last line waits
//   for its newline. Lines are cut at the `\n` byte, which never occurs inside a UTF-8 character.
// - every line comes with its position: the file's identity and the byte offset after the line.
//   A tailer started at such a position (`resume`) goes on exactly after that line, in the same
//   file even if it was rotated away meanwhile (found by its inode in the log's directory: its
//   unread tail first, then the new file), or from the start of the file when the position no
//   longer fits it (truncated, e.g. copytruncate; or replaced), which `resumed` reports.
// Limits: a file truncated and refilled past the old offset between two looks is taken as grown
// (unless its first bytes changed, on a resume); lines written to a rotated file after the new
// file was picked up are not read; a rotated file moved to another directory is not found.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { findByInode, HEAD_BYTES, identify, isSameFile, type FileIdentity } from './file-identity.ts';

export interface LogTailerOptions {
  path: string;
  /** Emit the lines already in the file (default: start at its end, new lines only). */
  fromStart?: boolean;
  /** Go on after this position (a line's, from an earlier run); overrides fromStart. */
  resume?: TailPosition;
  /** Look at the file at least this often, in milliseconds (default 1000). */
  pollIntervalMs?: number;
  /** Use fs.watch besides polling (default true; off for file systems without notifications). */
  watch?: boolean;
}

/** Where a line ends: the file it is in, and the byte offset just after it (its `\n`). */
export interface TailPosition {
  readonly file: FileIdentity;
  readonly offset: number;
}

/**
 * How a resume went: `exact` after the position in the same file; `rotated` in the old file found
 * under another name (then the new one); `truncated` the file is shorter than the offset;
 * `replaced` another file is at the path and the old one is not in the directory any more
 * (truncated and rewritten, or rotated away and deleted). The last two restart at the file's start:
 * nothing repeats that was not rewritten, but what the lost file held after the offset is gone.
 */
export type ResumeOutcome = { kind: 'exact' } | { kind: 'rotated'; from: string } | { kind: 'truncated' | 'replaced' };

export interface LogTailerEvents {
  line: [line: string, position: TailPosition];
  /** A resume position was given: how it fitted the file(s) found. */
  resumed: [outcome: ResumeOutcome];
  /** The path now names a new file; the old one was read to its end. */
  rotated: [];
  /** The file shrank; reading restarted at its beginning. */
  truncated: [];
  /** A read failed; the tailer keeps trying on the next look. Unheard errors are dropped. */
  error: [error: Error];
}

interface OpenFile {
  handle: FileHandle;
  identity: FileIdentity;
  position: number;
}

const CHUNK_BYTES = 64 * 1024;

async function statOrNull(path: string): Promise<{ ino: number; dev: number; size: number } | null> {
  // fs.stat's numbers: dev and ino fit a double exactly on Linux for any real file system.
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export class LogTailer extends EventEmitter<LogTailerEvents> {
  private readonly path: string;
  private readonly options: LogTailerOptions;
  private file: OpenFile | null = null;
  /** The bytes of a line whose `\n` has not been read yet. */
  private partial: Buffer = Buffer.alloc(0);
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private started = false;
  private stopped = false;

  constructor(options: LogTailerOptions) {
    super();
    this.path = options.path;
    this.options = options;
  }

  /** Opens the file (if it exists yet) and starts following it; resolves once caught up. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const onDisk = await statOrNull(this.path);
    if (this.options.resume) await this.resume(this.options.resume, onDisk !== null);
    else if (onDisk) await this.openFile(this.path, this.options.fromStart ? 0 : onDisk.size);
    if (this.options.watch !== false) this.startWatching();
    this.timer = setInterval(() => this.schedule(), this.options.pollIntervalMs ?? 1000);
    this.schedule();
    await this.running;
  }

  /** Stops following; no line is emitted once this is called. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.file?.handle.close();
    this.file = null;
  }

  /** Open the file the position is in, after it; or the file at the path from its start. */
  private async resume(position: TailPosition, exists: boolean): Promise<void> {
    if (exists) {
      await this.openFile(this.path, 0);
      const file = this.file!;
      const { dev, ino, size } = await file.handle.stat();
      if (dev === position.file.dev && ino === position.file.ino) {
        // The same inode: the position fits unless the file was cut (and maybe rewritten) since.
        if (size >= position.offset && (await isSameFile(file.handle, position.file))) {
          file.position = position.offset;
          return void this.emit('resumed', { kind: 'exact' });
        }
        return void this.emit('resumed', { kind: 'truncated' });
      }
    }
    const rotated = await findByInode(dirname(this.path), position.file);
    if (rotated) {
      const handle = await open(rotated, 'r');
      const same = await isSameFile(handle, position.file);
      const { size } = await handle.stat();
      if (same && size >= position.offset) {
        // look() sees another file at the path, reads this one to its end, then that one.
        await this.file?.handle.close();
        this.file = { handle, identity: position.file, position: position.offset };
        this.partial = Buffer.alloc(0);
        return void this.emit('resumed', { kind: 'rotated', from: rotated });
      }
      await handle.close();
    }
    this.emit('resumed', { kind: 'replaced' });
  }

  private startWatching(): void {
    const name = basename(this.path);
    try {
      this.watcher = watch(dirname(this.path), (_event, changed) => {
        if (!changed || changed === name) this.schedule();
      });
      // A watcher that fails (directory removed, too many watches) leaves the poll to do the work.
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      this.watcher = null;
    }
  }

  /** Runs a look at the file, or one more after the running one: never two at a time. */
  private schedule(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.look();
        } while (this.again && !this.stopped);
      } catch (error) {
        if (this.listenerCount('error') > 0) this.emit('error', error as Error);
      } finally {
        this.running = null;
      }
    })();
  }

  private async look(): Promise<void> {
    const onDisk = await statOrNull(this.path);
    if (!this.file) {
      if (onDisk) await this.openFile(this.path, 0); // appeared after start: all of it is new
    } else if (onDisk && (onDisk.ino !== this.file.identity.ino || onDisk.dev !== this.file.identity.dev)) {
      await this.drain();
      this.flushPartial();
      await this.file.handle.close();
      this.file = null;
      if (this.stopped) return;
      this.emit('rotated');
      await this.openFile(this.path, 0);
    } else if (onDisk && (await this.file.handle.stat()).size < this.file.position) {
      this.file.position = 0;
      this.file.identity = await identify(this.file.handle, 0);
      this.partial = Buffer.alloc(0);
      this.emit('truncated');
    }
    // Renamed away and not recreated yet: keep reading the old file, its writer may still add to it.
    await this.drain();
  }

  private async openFile(path: string, position: number): Promise<void> {
    await this.file?.handle.close();
    const handle = await open(path, 'r');
    this.file = { handle, identity: await identify(handle, position), position };
    this.partial = Buffer.alloc(0);
  }

  /** Reads the open file from the offset to its current end, emitting the complete lines. */
  private async drain(): Promise<void> {
    const file = this.file;
    while (file && !this.stopped) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, CHUNK_BYTES, file.position);
      if (bytesRead === 0) return;
      const start = file.position;
      file.position += bytesRead;
      // A position names the file by its first bytes: hash them again until there are enough.
      if (file.identity.headBytes < HEAD_BYTES && file.position > file.identity.headBytes) file.identity = await identify(file.handle, file.position);
      this.consume(this.buffer.subarray(0, bytesRead), start, file.identity);
    }
  }

  /** Emits the complete lines of `chunk`, read at byte `start` of the file. */
  private consume(chunk: Buffer, start: number, identity: FileIdentity): void {
    let from = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, from)) {
      if (this.stopped) return;
      const piece = chunk.subarray(from, newline);
      const bytes = this.partial.length > 0 ? Buffer.concat([this.partial, piece]) : piece;
      this.partial = Buffer.alloc(0);
      from = newline + 1;
      this.emitLine(bytes, { file: identity, offset: start + from });
    }
    // The buffer is reused for the next read: keep a copy of the unfinished line.
    if (from < chunk.length) this.partial = Buffer.concat([this.partial, chunk.subarray(from)]);
  }

  /** The end of a file that will not grow any more: its last line needs no newline. */
  private flushPartial(): void {
    const rest = this.partial;
    this.partial = Buffer.alloc(0);
    if (rest.length > 0 && !this.stopped && this.file) this.emitLine(rest, { file: this.file.identity, offset: this.file.position });
  }

  private emitLine(bytes: Buffer, position: TailPosition): void {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length;
    this.emit('line', bytes.toString('utf8', 0, end), position);
  }
}
