// Where a debug log's lines come from: a file followed by the log tailer, or (in the simulator)
// a farm that writes them in-process. The debug-log source does not care which, except that a
// file's lines carry their position, so its reading can be checkpointed and resumed.
import type { Logger } from '../../shared/logger.ts';
import { LogTailer, type ResumeOutcome, type TailPosition } from './log-tailer.ts';

export type OnLine = (line: string, position?: TailPosition) => void;

export interface LineFeed {
  /**
   * Begin delivering lines, in order, until stop(): a file's from its current end, or right after
   * `resume` (a position an earlier run delivered), telling `onResumed` how that went first.
   */
  start(onLine: OnLine, resume?: TailPosition, onResumed?: (outcome: ResumeOutcome) => void): Promise<void>;
  stop(): Promise<void>;
}

/** A file on this machine (through rotation and truncation). It can be started again after stop(). */
export function tailedFile(path: string, logger: Logger): LineFeed {
  let tailer: LogTailer | undefined;
  return {
    async start(onLine, resume, onResumed) {
      tailer = new LogTailer({ path, ...(resume && { resume }) });
      tailer.on('line', onLine);
      tailer.on('resumed', (outcome) => {
        logResume(logger, path, outcome);
        onResumed?.(outcome);
      });
      tailer.on('rotated', () => logger.info({ path }, 'debug log rotated'));
      tailer.on('truncated', () => logger.warn({ path }, 'debug log truncated (copytruncate?): reading again from its start'));
      tailer.on('error', (err) => logger.warn({ path, err }, 'debug log unreadable; retrying'));
      await tailer.start();
    },
    async stop() {
      await tailer?.stop();
      tailer = undefined;
    },
  };
}

function logResume(logger: Logger, path: string, outcome: ResumeOutcome): void {
  switch (outcome.kind) {
    case 'exact':
      return logger.info({ path }, 'debug log resumed at its checkpoint');
    case 'rotated':
      return logger.info({ path, rotatedTo: outcome.from }, 'debug log was rotated while not tailed: reading the rest of the old file, then the new one');
    case 'truncated':
      return logger.warn({ path }, 'debug log is shorter than its checkpoint or was rewritten (copytruncate?): reading it from its start');
    case 'replaced':
      return logger.warn({ path }, 'the file of the debug log checkpoint is gone (rotated away and removed, or replaced): reading the current file from its start; lines the old file got after the checkpoint are lost');
  }
}
