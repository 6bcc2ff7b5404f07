// Follows a growing log file (a FlexLM debug log) in real time, like `tail -F`:
// - new bytes are read from the last offset on an fs.watch event of the file's directory, and
//   on a poll timer as a fallback (network file systems, missed events);
// - rotation (the file renamed away and a new one created at the path): the old file is read
//   to its end, its unterminated last line included, then the new file from its start;
// - truncation (the file shrinks below the offset, e.g. logrotate's copytruncate): reading
//   starts again at 0;
// - only complete lines are emitted, without their `\n` or `\r\n`; a partial last line waits
//   for its newline. UTF-8 characters split between two writes are kept whole.
// Limits: a file truncated and refilled past the old offset between two looks is taken as grown;
// lines written to a rotated file after the new file was picked up are not read.
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface LogTailerOptions {
  path: string;
  /** Emit the lines already in the file (default: start at its end, new lines only). */
  fromStart?: boolean;
  /** Look at the file at least this often, in milliseconds (default 1000). */
  pollIntervalMs?: number;
  /** Use fs.watch besides polling (default true; off for file systems without notifications). */
  watch?: boolean;
}

export interface LogTailerEvents {
  line: [line: string];
  /** The path now names a new file; the old one was read to its end. */
  rotated: [];
  /** The file shrank; reading restarted at its beginning. */
  truncated: [];
  /** A read failed; the tailer keeps trying on the next look. Unheard errors are dropped. */
  error: [error: Error];
}

interface OpenFile {
  handle: FileHandle;
  ino: number;
  dev: number;
  position: number;
}

const CHUNK_BYTES = 64 * 1024;

async function statOrNull(path: string): Promise<{ ino: number; dev: number; size: number } | null> {
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
  private decoder = new StringDecoder('utf8');
  private partial = '';
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
    if (onDisk) await this.openFile(this.options.fromStart ? 0 : onDisk.size);
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
      if (onDisk) await this.openFile(0); // appeared after start: all of it is new
    } else if (onDisk && (onDisk.ino !== this.file.ino || onDisk.dev !== this.file.dev)) {
      await this.drain();
      this.flushPartial();
      await this.file.handle.close();
      this.file = null;
      if (this.stopped) return;
      this.emit('rotated');
      await this.openFile(0);
    } else if (onDisk && (await this.file.handle.stat()).size < this.file.position) {
      this.file.position = 0;
      this.partial = '';
      this.decoder = new StringDecoder('utf8');
      this.emit('truncated');
    }
    // Renamed away and not recreated yet: keep reading the old file, its writer may still add to it.
    await this.drain();
  }

  private async openFile(position: number): Promise<void> {
    const handle = await open(this.path, 'r');
    const { ino, dev } = await handle.stat();
    this.file = { handle, ino, dev, position };
    this.partial = '';
    this.decoder = new StringDecoder('utf8');
  }

  /** Reads the open file from the offset to its current end, emitting the complete lines. */
  private async drain(): Promise<void> {
    const file = this.file;
    while (file && !this.stopped) {
      const { bytesRead } = await file.handle.read(this.buffer, 0, CHUNK_BYTES, file.position);
      if (bytesRead === 0) return;
      file.position += bytesRead;
      this.consume(this.decoder.write(this.buffer.subarray(0, bytesRead)));
    }
  }

  private consume(text: string): void {
    const pieces = (this.partial + text).split('\n');
    this.partial = pieces.pop() ?? '';
    for (const piece of pieces) {
      if (this.stopped) return;
      this.emit('line', piece.endsWith('\r') ? piece.slice(0, -1) : piece);
    }
  }

  /** The end of a file that will not grow any more: its last line needs no newline. */
  private flushPartial(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest !== '' && !this.stopped) this.emit('line', rest.endsWith('\r') ? rest.slice(0, -1) : rest);
  }
}
