// How `licmon tail` shows messages to a person: one aligned line each — time, level, site,
// source, text — levels coloured, alerts marked, a metrics snapshot summarized in one line.
import type { AlertMessage, LogMessage, MetricsMessage } from '@licmon/client';

const ESC = '\u001b[';
const STYLES = {
  dim: [2, 22],
  bold: [1, 22],
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39],
  magenta: [35, 39],
  inverse: [7, 27],
} as const;
type Style = keyof typeof STYLES;

const LEVEL_STYLES: Record<string, readonly Style[]> = {
  debug: ['dim'],
  info: ['green'],
  warn: ['yellow'],
  error: ['red'],
  critical: ['red', 'bold', 'inverse'],
};

/** Widest level name ("CRITICAL", "METRICS ") so the columns after it line up. */
const LEVEL_WIDTH = 8;
/** Site and source columns grow to the widest value seen, up to this. */
const MAX_COLUMN = 24;

/** Colours on a terminal, off when piped, as NO_COLOR / FORCE_COLOR say (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR) return env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

export class TailFormatter {
  private siteWidth = 1;
  private sourceWidth = 1;

  constructor(private readonly color: boolean) {}

  log(message: LogMessage): string {
    return this.line(message.timestamp, message.level, message.site, message.source, message.message);
  }

  alert(message: AlertMessage): string {
    const firing = message.status === 'firing';
    // An alert sent as current state (--active-alerts) fired before the tail started: it says so.
    const mark = this.paint(message.active === true ? 'ALERT ACTIVE' : firing ? 'ALERT FIRING' : 'ALERT RESOLVED', firing ? ['magenta', 'bold'] : ['green', 'bold']);
    return this.line(message.timestamp, message.level, message.site, message.source, `${mark} [${message.rule}] ${message.message}`);
  }

  metrics(message: MetricsMessage): string {
    const parts: string[] = [];
    const { licenses, system, connections } = message;
    if (licenses) parts.push(`licenses ${licenses.used}/${licenses.total} (${percent(licenses.utilization)})`);
    if (system) parts.push(`cpu ${percent(system.cpu.usage)} of ${system.cpu.cores}`, `mem ${percent(system.memory.percentage)}`, `disk ${percent(system.disk.percentage)}`);
    if (connections) parts.push(`connections ${connections.active} (${connections.total} total)`);
    return this.line(message.timestamp, 'metrics', message.site, message.source, parts.join('  ') || '(empty snapshot)');
  }

  private line(timestamp: string, level: string, site: string | undefined, source: string | undefined, text: string): string {
    const siteText = site ?? '-';
    const sourceText = source ?? '-';
    this.siteWidth = Math.min(MAX_COLUMN, Math.max(this.siteWidth, siteText.length));
    this.sourceWidth = Math.min(MAX_COLUMN, Math.max(this.sourceWidth, sourceText.length));
    const levelText = level.toUpperCase().padEnd(LEVEL_WIDTH);
    return [
      this.paint(clock(timestamp), ['dim']),
      this.paint(levelText, LEVEL_STYLES[level] ?? ['cyan']),
      siteText.padEnd(this.siteWidth),
      this.paint(sourceText.padEnd(this.sourceWidth), ['cyan']),
      text,
    ].join('  ');
  }

  private paint(text: string, styles: readonly Style[]): string {
    if (!this.color) return text;
    const open = styles.map((s) => `${ESC}${STYLES[s][0]}m`).join('');
    const close = styles.map((s) => `${ESC}${STYLES[s][1]}m`).reverse().join('');
    return `${open}${text}${close}`;
  }
}

function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Local time with milliseconds; the date too when it is not today (a replay from yesterday). */
function clock(timestamp: string): string {
  const at = new Date(timestamp);
  if (Number.isNaN(at.getTime())) return timestamp;
  const two = (n: number) => String(n).padStart(2, '0');
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}.${String(at.getMilliseconds()).padStart(3, '0')}`;
  const today = new Date();
  const sameDay = at.getFullYear() === today.getFullYear() && at.getMonth() === today.getMonth() && at.getDate() === today.getDate();
  return sameDay ? time : `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time}`;
}
