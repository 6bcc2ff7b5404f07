// One duration grammar (shared/duration.ts) for the CLI's --expires and the farm file.
import { describe, expect, it } from 'vitest';
import { keysCommand } from '../../cli/commands/keys.ts';
import { UsageError } from '../../cli/command.ts';
import { duration } from '../../collector/farm/duration.ts';
import { DurationError, formatDuration, parseDuration } from '../../shared/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['1500ms', 1500], ['90s', 90_000], ['15m', 900_000], ['1.5h', 5_400_000], ['30d', 30 * 86_400_000], ['2w', 14 * 86_400_000],
    ['0.25s', 250], [' 30 s ', 30_000], ['0s', 0], ['1.0005s', 1001], ['0.4ms', 0],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'soon', '1y', '-1d', '+1d', '1e3ms', '.5h', '1.h', '1,5h', '2 w x', 'ms', '1S', '9999999999999999d'])('refuses %j with an error naming it', (text) => {
    let error: unknown;
    try {
      parseDuration(text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DurationError);
    expect((error as DurationError).input).toBe(text);
    expect((error as Error).message).toBe(`${JSON.stringify(text)} is not a duration: write a number with ms, s, m, h, d or w (e.g. 1500ms, 30s, 1.5h, 2w)`);
  });

  it('formats in the largest whole unit, and reads back what it writes', () => {
    const cases: Array<[number, string]> = [[1, '1ms'], [1500, '1500ms'], [90_000, '90s'], [3_600_000, '1h'], [86_400_000, '1d'], [1_209_600_000, '2w'], [0, '0ms']];
    for (const [ms, text] of cases) {
      expect(formatDuration(ms)).toBe(text);
      expect(parseDuration(text)).toBe(ms);
    }
  });
});

describe('the grammar where durations are typed', () => {
  it('farm file: milliseconds or any unit of the grammar, within the field\'s bounds', () => {
    const window = duration(1000, 30 * 86_400_000);
    expect(window.parse('2w')).toBe(14 * 86_400_000);
    expect(window.parse('1.5h')).toBe(5_400_000);
    expect(window.parse('1500ms')).toBe(1500);
    expect(window.parse(2500)).toBe(2500);
    expect(window.safeParse('5w').error?.issues[0]?.message).toBe('must be between 1s and 30d');
    expect(window.safeParse('1y').error?.issues[0]?.message).toMatch(/^"1y" is not a duration: /);
  });

  it('licmon keys create --expires: any unit of the grammar; a bad one is named', async () => {
    const create = (expires: string) => keysCommand.run(['create', '--name', 'k', '--expires', expires]);
    await expect(create('1y')).rejects.toThrow(new UsageError('--expires: "1y" is neither an ISO date nor a duration: a number with ms, s, m, h, d or w (e.g. 1500ms, 30s, 1.5h, 2w)'));
    await expect(create('0s')).rejects.toThrow(/--expires: "0s" is no time at all/);
    await expect(create('2020-01-01')).rejects.toThrow('--expires: 2020-01-01 is in the past');
    await expect(create('2099-13-45')).rejects.toThrow('--expires: "2099-13-45" is not a valid ISO date');
  });
});
