// `licmon tail`'s human format: columns, alert marks, metrics summaries, dates, colour choice.
import { describe, expect, it } from 'vitest';
import { TailFormatter, useColor } from '../../cli/tail-format.ts';

const today = new Date();
today.setHours(10, 30, 45, 123);
const now = today.toISOString();

describe('tail format', () => {
  it('lines up site and source columns to the widest seen so far', () => {
    const f = new TailFormatter(false);
    expect(f.log({ type: 'log', timestamp: now, level: 'info', message: 'one', source: 'ab', site: 'x' })).toBe('10:30:45.123  INFO      x  ab  one');
    expect(f.log({ type: 'log', timestamp: now, level: 'warn', message: 'two', source: 'license-server', site: 'berlin' })).toBe('10:30:45.123  WARN      berlin  license-server  two');
    expect(f.log({ type: 'log', timestamp: now, level: 'debug', message: 'three', source: 's' })).toBe('10:30:45.123  DEBUG     -       s               three');
  });

  it('marks alerts with their status and rule', () => {
    const f = new TailFormatter(false);
    const alert = { type: 'alert', timestamp: now, level: 'error', message: 'flexlm-02 down', source: 'flexlm-02', site: 'pune', rule: 'server_down', key: 'k' } as const;
    expect(f.alert({ ...alert, status: 'firing' })).toBe('10:30:45.123  ERROR     pune  flexlm-02  ALERT FIRING [server_down] flexlm-02 down');
    expect(f.alert({ ...alert, status: 'resolved' })).toContain('ALERT RESOLVED [server_down]');
    expect(f.alert({ ...alert, status: 'firing', active: true })).toContain('ALERT ACTIVE [server_down]');
  });

  it('summarizes a metrics snapshot on one line', () => {
    const f = new TailFormatter(false);
    const line = f.metrics({
      type: 'metrics', timestamp: now,
      system: {
        cpu: { usage: 34.5, cores: 4 },
        memory: { total: 8, used: 4, available: 4, percentage: 50 },
        disk: { total: 10, used: 5, available: 5, percentage: 50 },
      },
      licenses: { total: 100, used: 75, available: 25, utilization: 75 },
      connections: { active: 12, total: 156 },
    });
    expect(line).toBe('10:30:45.123  METRICS   -  -  licenses 75/100 (75.0%)  cpu 34.5% of 4  mem 50.0%  disk 50.0%  connections 12 (156 total)');
  });

  it('shows the date when a message is not from today', () => {
    const f = new TailFormatter(false);
    const line = f.log({ type: 'log', timestamp: '2024-01-15T10:30:45.123Z', level: 'info', message: 'old', source: 's' });
    expect(line).toMatch(/^2024-01-1[456] \d\d:\d\d:45\.123 {2}INFO/);
  });

  it('colours only when asked: terminal, NO_COLOR, FORCE_COLOR', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColor({ isTTY: true }, { FORCE_COLOR: '0' })).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '' })).toBe(false);
    const coloured = new TailFormatter(true).log({ type: 'log', timestamp: now, level: 'critical', message: 'm', source: 's' });
    expect(coloured).toContain('\u001b[31m\u001b[1m\u001b[7mCRITICAL');
    expect(coloured.endsWith('  m')).toBe(true);
  });
});
