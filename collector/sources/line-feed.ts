// Where a debug log's lines come from: a file followed by the log tailer, or (in the simulator)
// a farm that writes them in-process. The debug-log source does not care which.
import type { Logger } from '../../shared/logger.ts';
import { LogTailer } from './log-tailer.ts';

export interface LineFeed {
  /** Begin delivering lines, in order, until stop(). */
  start(onLine: (line: string) => void): Promise<void>;
  stop(): Promise<void>;
}

/** A file on this machine, from its current end on (through rotation and truncation). */
export function tailedFile(path: string, logger: Logger): LineFeed {
  const tailer = new LogTailer({ path });
  return {
    async start(onLine) {
      tailer.on('line', onLine);
      tailer.on('rotated', () => logger.info({ path }, 'debug log rotated'));
      tailer.on('truncated', () => logger.info({ path }, 'debug log truncated'));
      tailer.on('error', (err) => logger.warn({ path, err }, 'debug log unreadable; retrying'));
      await tailer.start();
    },
    stop: () => tailer.stop(),
  };
}
