import { describe, expect, it } from 'vitest';
import { DebugLogParser, parseDebugLog, toLogMessages, type DebugLogEvent } from '../../collector/parsers/debuglog.ts';
import { LogMessageSchema } from '../../shared/protocol/index.ts';
import { readFixture } from '../fixtures/fixtures.ts';

const NEW_YORK = { timeZone: 'America/New_York', now: () => new Date('2024-01-15T15:30:00Z') };

/** A usage line waits for the next line (it may be wrapped): push it, then flush, for its event. */
function eventOf(parser: DebugLogParser, line: string): DebugLogEvent | undefined {
  const pushed = parser.push(line).events;
  return [...pushed, ...parser.flush().events].at(-1);
}

function at(events: DebugLogEvent[], line: number): DebugLogEvent {
  const found = events.find((e) => e.line === line);
  if (!found) throw new Error(`no event on line ${line}: ${events.map((e) => e.line).join(', ')}`);
  return found;
}

describe('parseDebugLog: lmgrd and vendor daemon from start-up, over midnight', () => {
  const { events, unparsed, ignored } = parseDebugLog(readFixture('debuglog/lmgrd-startup.log'), NEW_YORK);

  it('finds every event, in order, and nothing it does not understand', () => {
    expect(events.map((e) => [e.line, e.kind, e.level])).toEqual([
      [24, 'started', 'info'],
      [47, 'expired', 'warn'],
      [48, 'started', 'info'],
      [52, 'out', 'info'],
      [53, 'in', 'info'],
      [54, 'out', 'info'],
      [55, 'denied', 'warn'],
      [56, 'queued', 'warn'],
      [57, 'dequeued', 'info'],
      [58, 'unsupported', 'warn'],
      [61, 'denied', 'warn'],
      [63, 'denied', 'warn'],
      [66, 'out', 'info'],
      [67, 'in', 'info'],
      [68, 'in', 'info'],
      [71, 'out', 'info'],
      [72, 'out', 'info'],
    ]);
    expect(unparsed).toEqual([]);
    // 72 lines: 17 events (two of them over two lines), the rest banner, SLOG block, TIMESTAMPs, feature list.
    expect(ignored).toBe(72 - 17 - 2);
  });

  it('dates lines from the start-up banner, in the server time zone', () => {
    expect(at(events, 24)).toMatchObject({ timestamp: '2024-01-14T14:58:01.000Z', daemon: 'lmgrd', message: 'lmgrd (FlexNet v11.16.2.0) started on flexlm-01' });
    expect(at(events, 52)).toEqual({
      kind: 'out',
      level: 'info',
      message: 'jsmith@ws-042 checked out Maya_Complete',
      vendor: 'adskflex',
      feature: 'Maya_Complete',
      user: 'jsmith',
      host: 'ws-042',
      count: 1,
      timestamp: '2024-01-14T15:15:22.000Z',
      daemon: 'adskflex',
      line: 52,
      text: '10:15:22 (adskflex) OUT: "Maya_Complete" jsmith@ws-042',
    });
  });

  it('reads counts, denial reasons and check-in reasons', () => {
    expect(at(events, 54)).toMatchObject({ feature: 'Arnold', user: 'render', host: 'rn-12', count: 4, message: 'render@rn-12 checked out Arnold (4 licenses)' });
    expect(at(events, 55)).toMatchObject({
      feature: 'Maya_Complete',
      user: 'jdoe',
      host: 'ws-100',
      reason: 'Licensed number of users already reached. (-4,342)',
      message: 'Maya_Complete denied to jdoe@ws-100: Licensed number of users already reached. (-4,342)',
    });
    expect(at(events, 58)).toMatchObject({ feature: 'Inventor_Pro', reason: 'License server system does not support this feature. (-18,327:10054 "")' });
    expect(at(events, 68)).toMatchObject({ kind: 'in', reason: 'INACTIVE', message: 'nightly@rn-03 checked in Maya_Complete (INACTIVE)' });
    expect(at(events, 47)).toMatchObject({ feature: 'Maya_Complete_2022', vendor: 'adskflex' });
    expect(at(events, 47)).not.toHaveProperty('count');
  });

  it('joins a DENIED reason wrapped onto a second line, indented or not', () => {
    expect(at(events, 61)).toMatchObject({
      timestamp: '2024-01-14T22:40:13.000Z',
      reason: 'Licensed number of users already reached. (-4,342:104 "Connection reset by peer")',
      text: '17:40:13 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (Licensed number of users already reached. (-4,342:104 "Connection reset by peer"))',
    });
    expect(at(events, 63)).toMatchObject({ feature: 'Arnold', count: 4, reason: 'Licensed number of users already reached. (-4,342)' });
  });

  it('rolls over to the next day at midnight, then follows TIMESTAMP lines', () => {
    expect(at(events, 66).timestamp).toBe('2024-01-15T04:59:41.000Z'); // 23:59:41 on 1/14
    expect(at(events, 67).timestamp).toBe('2024-01-15T05:00:12.000Z'); //  0:00:12 on 1/15
    expect(at(events, 72).timestamp).toBe('2024-01-15T14:30:04.000Z');
    expect(at(events, 72).count).toBe(2);
  });

  it('gives other instants in another server time zone', () => {
    const berlin = parseDebugLog(readFixture('debuglog/lmgrd-startup.log'), { timeZone: 'Europe/Berlin' });
    expect(berlin.events[0]?.timestamp).toBe('2024-01-14T08:58:01.000Z');
  });
});

describe('parseDebugLog: a triad losing quorum and a vendor daemon restarted', () => {
  const { events, unparsed } = parseDebugLog(readFixture('debuglog/triad-failover.log'), { timeZone: 'America/Los_Angeles' });
  const byKind = (kind: string): DebugLogEvent[] => events.filter((e) => e.kind === kind);

  it('reports server loss, lost quorum and exits as errors', () => {
    expect(byKind('lost-connection').map((e) => [e.daemon, e.peer, e.level])).toEqual([
      ['lmgrd', 'cds-lic3', 'error'],
      ['cdslmd', 'cds-lic3', 'error'],
      ['lmgrd', 'cds-lic1', 'error'],
    ]);
    expect(byKind('lost-quorum')).toMatchObject([{ level: 'error', daemon: 'lmgrd', timestamp: '2024-01-15T18:06:02.000Z' }]);
    expect(byKind('exiting')).toMatchObject([{ level: 'error', vendor: 'cdslmd', message: 'cdslmd exiting due to signal 15' }]);
    expect(byKind('daemon-exited')).toMatchObject([
      { level: 'error', vendor: 'cdslmd', reason: "Vendor daemon can't talk to lmgrd (heartbeat timeout)" },
    ]);
    expect(unparsed).toEqual([]);
  });

  it('reports shutting down and restarts as warnings naming the vendor daemon', () => {
    expect(byKind('shutting-down')).toMatchObject([{ level: 'warn', vendor: 'cdslmd', daemon: 'lmgrd' }]);
    expect(byKind('restarted')).toMatchObject([
      { level: 'warn', vendor: 'cdslmd', message: 'cdslmd restarted (internet tcp_port 40123 pid 4502)' },
    ]);
    expect(byKind('started')).toMatchObject([{ level: 'info', vendor: 'cdslmd', message: 'cdslmd started on cds-lic2' }]);
  });

  it('reads denials with a count before the reason, queues and check-in reasons', () => {
    expect(byKind('denied').map((e) => [e.user, e.count, e.reason])).toEqual([
      ['jdoe', 1, 'Licensed number of users already reached. (-4,342)'],
      ['lsfadm', 2, 'Users are queued for this feature. (-24,332)'],
    ]);
    expect(byKind('queued').map((e) => [e.user, e.count])).toEqual([
      ['jdoe', 1],
      ['lsfadm', 2],
    ]);
    expect(byKind('in').map((e) => e.reason)).toEqual(['SHUTDOWN', 'INACTIVE']);
  });
});

describe('parseDebugLog: Windows', () => {
  const text = readFixture('debuglog/windows.log');
  const { events, unparsed } = parseDebugLog(text, { timeZone: 'Europe/Berlin' });

  it('reads CRLF lines, the (IBM PC) banner and user names with spaces', () => {
    expect(text).toContain('\r\n');
    expect(events.map((e) => e.kind)).toEqual(['started', 'started', 'out', 'out', 'out', 'in', 'unsupported']);
    expect(events[0]).toMatchObject({ timestamp: '2024-01-15T07:00:03.000Z', message: 'lmgrd (FlexNet v11.19.4.0) started on LIC-WIN01' });
    expect(events[4]).toMatchObject({ user: 'Anna Berg', host: 'WS-ANNA', feature: '86984RVTLTS_2024_0F' });
    expect(events.every((e) => !e.text.includes('\r'))).toBe(true);
  });

  it('collects the garbage and the impossible time as unparsed', () => {
    expect(unparsed).toEqual([
      { line: 22, text: '#### log writer restarted: partial record follows ####' },
      { line: 23, text: '27:61:00 (adskflex) OUT: "87545ACD_2024_0F" ghost@NOWHERE' },
    ]);
  });
});

describe('DebugLogParser: line by line, as a tailer feeds it', () => {
  it('holds a denial until its wrapped reason arrives', () => {
    const parser = new DebugLogParser(NEW_YORK);
    parser.push(' 6:00:00 (lmgrd) TIMESTAMP 1/15/2024');
    expect(parser.push('10:00:00 (MLM) DENIED: "MATLAB" ana@ws-1  (Licensed number of users').events).toEqual([]);
    const { events } = parser.push('    already reached. (-4,342))');
    expect(events).toMatchObject([{ kind: 'denied', line: 2, reason: 'Licensed number of users already reached. (-4,342)', timestamp: '2024-01-15T15:00:00.000Z' }]);
  });

  it('emits a denial without its reason when the next line starts, on a blank line, or on flush', () => {
    const parser = new DebugLogParser(NEW_YORK);
    expect(parser.push('10:00:00 (MLM) DENIED: "MATLAB" ana@ws-1').events).toEqual([]);
    const next = parser.push('10:00:05 (MLM) OUT: "MATLAB" bob@ws-2');
    expect(next.events.map((e) => [e.kind, e.user])).toEqual([
      ['denied', 'ana'],
      ['out', 'bob'],
    ]);
    expect(parser.push('10:00:09 (MLM) DENIED: "SIMULINK" cy@ws-3').events).toEqual([]);
    expect(parser.flush().events).toMatchObject([{ kind: 'denied', feature: 'SIMULINK', user: 'cy' }]);
    expect(parser.flush().events).toEqual([]);
    parser.push('10:00:12 (MLM) DENIED: "MATLAB" dee@ws-4  (Licensed number of users');
    expect(parser.push('').events).toMatchObject([{ kind: 'denied', user: 'dee', reason: 'Licensed number of users' }]);
  });

  it('dates lines before any TIMESTAMP from now, and a time ahead of now as yesterday', () => {
    const parser = new DebugLogParser(NEW_YORK); // 10:30 in New York
    expect(eventOf(parser, '10:15:00 (MLM) OUT: "MATLAB" ana@ws-1')?.timestamp).toBe('2024-01-15T15:15:00.000Z');
    const late = new DebugLogParser(NEW_YORK);
    expect(eventOf(late, '23:50:00 (MLM) OUT: "MATLAB" ana@ws-1')?.timestamp).toBe('2024-01-15T04:50:00.000Z');
  });

  it('does not take lines a little out of order for a new day', () => {
    const parser = new DebugLogParser(NEW_YORK);
    parser.push('10:00:00 (lmgrd) TIMESTAMP 1/15/2024');
    parser.push('10:00:09 (MLM) OUT: "MATLAB" ana@ws-1');
    expect(eventOf(parser, '10:00:04 (MLM) OUT: "MATLAB" bob@ws-2')?.timestamp).toBe('2024-01-15T15:00:04.000Z');
    expect(eventOf(parser, ' 9:00:00 (MLM) OUT: "MATLAB" cy@ws-3')?.timestamp).toBe('2024-01-16T14:00:00.000Z');
  });

  it('follows a daylight-saving change', () => {
    const parser = new DebugLogParser(NEW_YORK);
    parser.push(' 0:00:00 (lmgrd) TIMESTAMP 3/10/2024');
    expect(eventOf(parser, ' 1:59:00 (MLM) OUT: "MATLAB" ana@ws-1')?.timestamp).toBe('2024-03-10T06:59:00.000Z');
    expect(eventOf(parser, ' 3:01:00 (MLM) OUT: "MATLAB" bob@ws-2')?.timestamp).toBe('2024-03-10T07:01:00.000Z');
  });

  it('takes the hour shown twice when daylight saving ends for that hour, not for a new day', () => {
    const parser = new DebugLogParser(NEW_YORK);
    parser.push(' 0:00:00 (lmgrd) TIMESTAMP 11/3/2024');
    expect(eventOf(parser, ' 1:50:00 (MLM) OUT: "MATLAB" ana@ws-1')?.timestamp).toBe('2024-11-03T05:50:00.000Z'); // EDT
    expect(eventOf(parser, ' 1:05:00 (MLM) OUT: "MATLAB" bob@ws-2')?.timestamp).toBe('2024-11-03T06:05:00.000Z'); // EST
    expect(eventOf(parser, ' 1:30:00 (MLM) IN: "MATLAB" bob@ws-2')?.timestamp).toBe('2024-11-03T06:30:00.000Z');
    expect(eventOf(parser, ' 2:10:00 (MLM) IN: "MATLAB" ana@ws-1')?.timestamp).toBe('2024-11-03T07:10:00.000Z');
    expect(eventOf(parser, ' 0:10:00 (MLM) OUT: "MATLAB" cy@ws-3')?.timestamp).toBe('2024-11-04T05:10:00.000Z'); // next day
  });

  it('holds a long OUT until the next line shows whether its (N licenses) was wrapped onto it', () => {
    const parser = new DebugLogParser(NEW_YORK);
    parser.push(' 6:00:00 (lmgrd) TIMESTAMP 1/15/2024');
    const long = '10:00:00 (snpslmd) OUT: "VCSRuntime_Net_Compile_Farm" regress.nightly@lsf-n101.eda.example.com  ';
    expect(parser.push(long).events).toEqual([]);
    expect(parser.push('    (8 licenses)').events).toMatchObject([{ kind: 'out', count: 8, line: 2, text: `${long.trim()} (8 licenses)` }]);
    parser.push('10:00:01 (snpslmd) OUT: "VCSRuntime_Net_Compile_Farm" ywang.eda.team@eda-workstation-09.example.com');
    // Not a wrap: the held OUT goes out with one license, the line is the indented chatter it is.
    expect(parser.push('    some start-up detail').events).toMatchObject([{ kind: 'out', user: 'ywang.eda.team', count: 1 }]);
    // A short line was not wrapped: out at once.
    expect(parser.push('10:00:02 (snpslmd) OUT: "Verdi" ana@ws-1').events).toMatchObject([{ kind: 'out', user: 'ana' }]);
  });

  it('rejects an unknown time zone when it is built', () => {
    expect(() => new DebugLogParser({ timeZone: 'Mars/Olympus_Mons' })).toThrow(RangeError);
  });

  it('never throws on garbage', () => {
    const parser = new DebugLogParser(NEW_YORK);
    for (const line of ['', '\u0000', '((((', '99:99:99 (x) OUT:', '1:00:00 (x) TIMESTAMP 13/45/2024', '1:00:00 (x) DENIED: "', '  (']) {
      expect(() => parser.push(line)).not.toThrow();
    }
    expect(() => parser.flush()).not.toThrow();
  });
});

describe('toLogMessages', () => {
  const { events } = parseDebugLog(readFixture('debuglog/lmgrd-startup.log'), NEW_YORK);

  it('makes protocol log messages with the server, site and source', () => {
    const messages = toLogMessages(events, { server: 'flexlm-01', site: 'paris' });
    expect(messages).toHaveLength(events.length);
    for (const message of messages) expect(() => LogMessageSchema.parse(message)).not.toThrow();
    expect(messages[10]).toEqual({
      type: 'log',
      timestamp: '2024-01-14T22:40:13.000Z',
      level: 'warn',
      message: 'Maya_Complete denied to adoe@ws-077: Licensed number of users already reached. (-4,342:104 "Connection reset by peer")',
      source: 'license-server',
      site: 'paris',
      metadata: {
        server: 'flexlm-01',
        event: 'denied',
        daemon: 'adskflex',
        vendor: 'adskflex',
        feature: 'Maya_Complete',
        user: 'adoe',
        host: 'ws-077',
        count: 1,
        reason: 'Licensed number of users already reached. (-4,342:104 "Connection reset by peer")',
      },
    });
  });

  it('leaves out the site when there is none and takes another source', () => {
    const [first] = toLogMessages(events.slice(0, 1), { server: 'flexlm-01', source: 'flexlm-debuglog' });
    expect(first).not.toHaveProperty('site');
    expect(first).toMatchObject({ source: 'flexlm-debuglog', level: 'info', metadata: { server: 'flexlm-01', event: 'started', daemon: 'lmgrd' } });
  });
});
