// A FlexLM debug log followed as it grows: every event published as a log message in the
// server's time zone, a denial wrapped over two lines joined, and a burst of denials raising the
// denial_burst alert, which resolves when the window has emptied.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { AlertRulesSchema } from '../../collector/farm/alert-rules-config.ts';
import type { LicenseServerConfig } from '../../collector/farm/farm-config.ts';
import { PLAIN, publishedUser, type UserPrivacy } from '../../collector/privacy/user-privacy.ts';
import { UnparsedLines } from '../../collector/license/unparsed-lines.ts';
import { debugLogSource } from '../../collector/sources/debug-log-source.ts';
import { tailedFile } from '../../collector/sources/line-feed.ts';
import { createLogger } from '../../shared/logger.ts';
import type { AlertMessage, LogMessage, StreamMessage } from '../../shared/protocol/index.ts';
import { waitUntil } from '../support/wait-until.ts';

const dir = mkdtempSync(join(tmpdir(), 'licmon-debuglog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger('test', 'silent');

const server: LicenseServerConfig = {
  id: 'flexlm-berlin-01',
  site: 'berlin',
  kind: 'flexlm',
  address: '27000@lic-01',
  hosts: [{ port: 27000, host: 'lic-01' }],
  command: 'lmutil',
  debugLog: join(dir, 'adskflex.log'),
  debugLogHost: 'lic-01',
  timeZone: 'Europe/Berlin',
  pollIntervalMs: 60_000,
  timeoutMs: 30_000,
  expiryRefreshMs: 3_600_000,
  holdersPerFeature: 200,
  privacy: PLAIN,
};

describe('debug-log source', () => {
  it('publishes each event as it is written, and raises and resolves a denial burst', async () => {
    writeFileSync(server.debugLog!, '10:00:00 (lmgrd) written before the collector started\n');
    let now = Date.parse('2024-01-15T10:00:00Z');
    const rules = AlertRulesSchema.parse({ denialBurst: { count: 3, window: '10s' } });
    const source = debugLogSource(server, tailedFile(server.debugLog!, logger), { alerts: new AlertEngine(new MemoryAlertState()), rules, unparsed: new UnparsedLines(logger), logger, clock: () => now });
    const out: StreamMessage[] = [];
    await source.start((m) => out.push(m));
    const logs = () => out.filter((m): m is LogMessage => m.type === 'log');
    const alerts = () => out.filter((m): m is AlertMessage => m.type === 'alert');

    appendFileSync(server.debugLog!, [
      ' 9:59:58 (lmgrd) TIMESTAMP 1/15/2024',
      '10:00:01 (adskflex) OUT: "Maya_Complete" jsmith@ws-042  ',
      '10:00:02 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (Licensed number of users already reached.',
      '                    (-4,342))',
      '10:00:03 (adskflex) DENIED: "Maya_Complete" kchen@ws-013  (Licensed number of users already reached. (-4,342))',
      '',
    ].join('\n'));
    await waitUntil(() => logs().length === 3, 'three logs');
    expect(logs()[0]).toEqual({
      type: 'log',
      timestamp: '2024-01-15T09:00:01.000Z',
      level: 'info',
      message: 'jsmith@ws-042 checked out Maya_Complete',
      source: 'license-server',
      site: 'berlin',
      metadata: { server: 'flexlm-berlin-01', event: 'out', daemon: 'adskflex', vendor: 'adskflex', feature: 'Maya_Complete', user: 'jsmith', host: 'ws-042', count: 1 },
    });
    expect(logs()[1]).toMatchObject({ level: 'warn', metadata: { event: 'denied', user: 'adoe', reason: 'Licensed number of users already reached. (-4,342)' } });
    expect(alerts()).toEqual([]);

    appendFileSync(server.debugLog!, '10:00:04 (adskflex) DENIED: "Maya_Complete" bkumar@ws-101  (Licensed number of users already reached. (-4,342))\n');
    await waitUntil(() => alerts().length === 1, 'the denial-burst alert');
    expect(alerts()[0]).toMatchObject({ status: 'firing', rule: 'denial_burst', key: 'denial_burst:berlin:flexlm-berlin-01:Maya_Complete', site: 'berlin', metadata: { server: 'flexlm-berlin-01', feature: 'Maya_Complete', denials: 3, user: 'bkumar' } });

    // Ten quiet seconds later the ticker finds the window empty.
    now += 11_000;
    await waitUntil(() => alerts().length === 2, 'the resolved alert', 15_000);
    expect(alerts()[1]).toMatchObject({ status: 'resolved', key: 'denial_burst:berlin:flexlm-berlin-01:Maya_Complete', metadata: { denials: 0 } });
    await source.stop();
    appendFileSync(server.debugLog!, '10:00:05 (adskflex) OUT: "Maya_Complete" late@ws-1  \n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(logs()).toHaveLength(4);
  });

  it('under privacy.users hashed or hidden, no user name leaves it: not in log messages, their metadata, nor the denial-burst alert', async () => {
    for (const privacy of [{ users: 'hashed', key: 'a-farm-secret-of-some-length' }, { users: 'hidden' }] satisfies UserPrivacy[]) {
      const logFile = join(dir, `private-${privacy.users}.log`);
      writeFileSync(logFile, '');
      const privateServer = { ...server, debugLog: logFile, privacy };
      const rules = AlertRulesSchema.parse({ denialBurst: { count: 2, window: '1m' } });
      const source = debugLogSource(privateServer, tailedFile(logFile, logger), { alerts: new AlertEngine(new MemoryAlertState()), rules, unparsed: new UnparsedLines(logger), logger });
      const out: StreamMessage[] = [];
      await source.start((m) => out.push(m));
      appendFileSync(logFile, [
        ' 9:59:58 (lmgrd) TIMESTAMP 1/15/2024',
        '10:00:01 (adskflex) OUT: "Maya_Complete" jsmith@ws-042  ',
        '10:00:02 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (User adoe is in the EXCLUDE list. (-38,347))',
        '10:00:03 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (User adoe is in the EXCLUDE list. (-38,347))',
        '',
      ].join('\n'));
      await waitUntil(() => out.filter((m) => m.type === 'log').length === 3 && out.some((m) => m.type === 'alert'), `three logs and a burst (${privacy.users})`);
      await source.stop();
      const [checkedOut, denied] = out.filter((m): m is LogMessage => m.type === 'log');
      const shown = publishedUser('jsmith', privacy);
      expect(checkedOut).toMatchObject({ message: `${shown ?? '[hidden]'}@ws-042 checked out Maya_Complete`, metadata: { host: 'ws-042' } });
      expect(checkedOut!.metadata!.user).toBe(shown ?? undefined);
      expect(denied!.metadata!.reason).toBe(`User ${publishedUser('adoe', privacy) ?? '[hidden]'} is in the EXCLUDE list. (-38,347)`);
      expect(out.find((m) => m.type === 'alert')).toMatchObject({ rule: 'denial_burst', status: 'firing', metadata: { host: 'ws-077' } });
      expect(JSON.stringify(out)).not.toMatch(/jsmith|adoe/);
    }
  });
});
