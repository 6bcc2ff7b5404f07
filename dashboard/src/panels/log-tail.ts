// The live log tail: the newest TAIL_CAPACITY lines in a ring buffer, drawn as a virtual list —
// a fixed pool of row elements (one screenful and a few) repositioned and refilled at most once
// per animation frame. Thousands of lines a second cost one small DOM update per frame.
// Following: the view sticks to the newest line unless the user scrolls up. Paused: the view
// freezes on what it showed while lines keep arriving underneath (counted as "new").
import type { LogMessage } from '@licmon/client';
import { el, setText } from '../dom.ts';
import { clockTime } from '../format.ts';
import type { FrameScheduler } from '../frame-scheduler.ts';
import { RingBuffer } from '../store/ring-buffer.ts';

export const TAIL_CAPACITY = 2000;
/** Must match `.tail .line` height in styles.css. */
const ROW_HEIGHT = 20;
const OVERSCAN = 6;

export class LogTail {
  private readonly buffer = new RingBuffer<LogMessage>(TAIL_CAPACITY);
  private readonly viewport = el('div', { class: 'viewport', tabindex: '0', role: 'log', 'aria-label': 'log lines' });
  private readonly spacer = el('div', { class: 'spacer' });
  private readonly status = el('span', { class: 'tail-status' });
  private readonly pauseButton = el('button', { type: 'button', class: 'pause' }, 'Pause');
  private readonly rows: TailRow[] = [];
  private frozen: { lines: LogMessage[]; pushedAt: number } | undefined;
  private follow = true;
  /** Where the view last scrolled itself to follow: a scroll event there is not the user's. */
  private followedTo = -1;
  /** Lines received in the last whole second, and the count it is measured from. */
  private rate = { perSecond: 0, pushedBefore: 0 };

  constructor(root: HTMLElement, private readonly scheduler: FrameScheduler) {
    const clear = el('button', { type: 'button' }, 'Clear');
    clear.addEventListener('click', () => this.clear());
    this.pauseButton.addEventListener('click', () => (this.frozen ? this.resume() : this.pause()));
    this.viewport.addEventListener('scroll', () => {
      // By the time the event of our own scroll arrives, more lines may have made the list
      // taller: judged by position, it would stop following at high rates.
      if (this.viewport.scrollTop === this.followedTo) this.followedTo = -1;
      else this.follow = this.viewport.scrollTop + this.viewport.clientHeight >= this.viewport.scrollHeight - ROW_HEIGHT;
      this.requestRender();
    }, { passive: true });
    this.viewport.append(this.spacer);
    root.append(el('div', { class: 'tail-bar' }, this.pauseButton, clear, this.status), this.viewport);
    setInterval(() => {
      this.rate = { perSecond: this.buffer.pushed - this.rate.pushedBefore, pushedBefore: this.buffer.pushed };
      this.requestRender();
    }, 1000);
    this.requestRender();
  }

  add(log: LogMessage): void {
    this.buffer.push(log);
    this.requestRender();
  }

  /** Start over (a new filter: lines of the old one would mislead). */
  clear(): void {
    this.buffer.clear();
    if (this.frozen) this.frozen = { lines: [], pushedAt: this.buffer.pushed };
    this.follow = true;
    this.requestRender();
  }

  pause(): void {
    this.frozen = { lines: this.buffer.toArray(), pushedAt: this.buffer.pushed };
    setText(this.pauseButton, 'Resume');
    this.pauseButton.setAttribute('aria-pressed', 'true');
    this.requestRender();
  }

  resume(): void {
    this.frozen = undefined;
    this.follow = true;
    setText(this.pauseButton, 'Pause');
    this.pauseButton.setAttribute('aria-pressed', 'false');
    this.requestRender();
  }

  private requestRender(): void {
    this.scheduler.request(this.render);
  }

  private readonly render = (): void => {
    const frozen = this.frozen;
    const count = frozen ? frozen.lines.length : this.buffer.length;
    const lineAt = frozen ? (i: number) => frozen.lines[i] : (i: number) => this.buffer.at(i);
    const height = `${count * ROW_HEIGHT}px`;
    if (this.spacer.style.height !== height) this.spacer.style.height = height;
    if (this.follow && !frozen) {
      this.viewport.scrollTop = this.viewport.scrollHeight;
      this.followedTo = this.viewport.scrollTop;
    }

    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const needed = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    while (this.rows.length < needed) {
      const row = new TailRow();
      this.rows.push(row);
      this.spacer.append(row.root);
    }
    this.rows.forEach((row, i) => {
      const index = first + i;
      const line = index < count ? lineAt(index) : undefined;
      if (line) row.show(index, line);
      else row.hide();
    });
    this.updateStatus(count);
  };

  private updateStatus(count: number): void {
    const paused = this.frozen ? ` · paused, ${this.buffer.pushed - this.frozen.pushedAt} new` : this.follow ? '' : ' · scrolled back';
    setText(this.status, `${count} lines (newest ${TAIL_CAPACITY} kept) · ${this.rate.perSecond}/s${paused}`);
    this.status.dataset.lines = String(count);
  }
}

class TailRow {
  readonly root = el('div', { class: 'line' });
  private readonly time = el('span', { class: 'time' });
  private readonly level = el('span', { class: 'level' });
  private readonly where = el('span', { class: 'where' });
  private readonly source = el('span', { class: 'source' });
  private readonly message = el('span', { class: 'message' });
  private index = -1;
  private line: LogMessage | undefined;

  constructor() {
    this.root.append(this.time, this.level, this.where, this.source, this.message);
  }

  show(index: number, line: LogMessage): void {
    if (index !== this.index) {
      this.index = index;
      this.root.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
      this.root.dataset.index = String(index);
    }
    if (line === this.line) return;
    this.line = line;
    this.root.hidden = false;
    this.root.dataset.level = line.level;
    setText(this.time, clockTime(line.timestamp));
    setText(this.level, line.level);
    const server = line.metadata?.server;
    setText(this.where, [line.site, typeof server === 'string' ? server : undefined].filter(Boolean).join(' / '));
    setText(this.source, line.source);
    setText(this.message, line.message);
  }

  hide(): void {
    if (this.line === undefined && this.root.hidden) return;
    this.line = undefined;
    this.index = -1;
    this.root.hidden = true;
  }
}
