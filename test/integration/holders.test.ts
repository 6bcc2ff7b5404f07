// Who holds what, end to end: a collector process polls a fake lmutil (the single-healthy fixture:
// jsmith, adoe, render and kchen hold licenses) and tails a debug log, on real Redis; a real
// gateway delivers to a WebSocket client on /ws/combined, and `licmon who` reads the holders
// through the gateway. The farm runs `privacy.users: hashed`: the holders arrive as pseudonyms,
// and no real user name reaches the client anywhere — metrics, logs, alerts — nor a webhook
// notification, nor the collector's own log. A key scoped to another site sees no holders.
import { once } from 'node:events';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { publishedUser } from '../../collector/privacy/user-privacy.ts';
import { MetricsMessageSchema, type FeatureDetail } from '../../shared/protocol/index.ts';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { createKey, runCompiledLicmon } from '../support/licmon-cli.ts';
import { randomPrefix, startGateway, startProcess, type RunningGateway, type RunningProcess } from '../support/processes.ts';
import { waitUntil } from '../support/wait-until.ts';
import { TestClient } from '../support/ws-client.ts';

const redisUrl = inject('redisUrl');
const prefix = randomPrefix();
const API_KEY = `holders-${randomPrefix()}`;
const PRIVACY = { users: 'hashed', key: 'integration-test-privacy-key' } as const;
const REAL_NAMES = /\b(jsmith|adoe|render|kchen)\b/;
const pseudonym = (user: string) => publishedUser(user, PRIVACY)!;
const dir = mkdtempSync(join(tmpdir(), 'licmon-holders-'));
const debugLog = join(dir, 'adskflex.log');
const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix };
let gateway: RunningGateway | undefined;
let collector: RunningProcess | undefined;
let client: TestClient | undefined;
let webhook: Server | undefined;
const hooked: string[] = [];

beforeAll(async () => {
  webhook = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      hooked.push(body);
      res.writeHead(200).end('ok');
    });
  });
  webhook.listen(0, '127.0.0.1');
  await once(webhook, 'listening');
  const farmFile = join(dir, 'farm.yaml');
  writeFileSync(debugLog, '');
  writeFileSync(farmFile, `defaults:
  pollInterval: 500ms
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
  holdersPerFeature: 2
rollupInterval: 500ms
privacy:
  users: hashed          # the key comes from LICMON_PRIVACY_KEY
alerts:
  denialBurst: { count: 2, window: 1m }
notifications:
  webhooks:
    - { url: "http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook", rules: [denial_burst] }
sites:
  berlin:
    timezone: Europe/Berlin
    servers:
      - { id: adsk-berlin, kind: flexlm, address: "27000@single-healthy", debugLog: "${debugLog}" }
`);
  [gateway, collector] = await Promise.all([
    startGateway({ ...env, API_KEYS: API_KEY, METRICS_MIN_INTERVAL_MS: '50' }),
    Promise.resolve(startProcess('collector/main.ts', { ...env, FARM_CONFIG: farmFile, LICMON_PRIVACY_KEY: PRIVACY.key, HOST_METRICS_INTERVAL_MS: '0', COLLECTOR_TAIL_LOGS: 'all' })),
  ]);
  await collector.waitForLog((l) => l.msg === 'farm watched', 30_000);
}, 60_000);

afterAll(async () => {
  client?.close();
  await collector?.kill();
  await gateway?.kill();
  webhook?.close();
  rmSync(dir, { recursive: true, force: true });
});

const featureOf = (m: Record<string, unknown>, name: string) => (m.features as FeatureDetail[] | undefined)?.find((f) => f.name === name);

describe('holders, end to end', () => {
  it('reach a /ws/combined client as pseudonyms under privacy.users hashed, and no real user name reaches it in metrics, logs or alerts', async () => {
    client = await TestClient.connect(`${gateway!.wsUrl}/ws/combined?api_key=${API_KEY}&interval=200`);
    // The tailer is open ('farm watched' came after it started): these lines are new to it.
    appendFileSync(debugLog, [
      '10:00:01 (adskflex) OUT: "Maya_Complete" jsmith@ws-042  ',
      '10:00:02 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (User adoe is in the EXCLUDE list. (-38,347))',
      '10:00:03 (adskflex) DENIED: "Maya_Complete" adoe@ws-077  (User adoe is in the EXCLUDE list. (-38,347))',
      '',
    ].join('\n'));
    const holdersOf = (ms: Array<Record<string, unknown>>) => ms.filter((m) => m.type === 'metrics' && m.server === 'adsk-berlin' && featureOf(m, 'Maya_Complete'));
    await client.waitUntil(
      (ms) =>
        holdersOf(ms).length > 0 &&
        ms.filter((m) => m.type === 'log').length >= 3 &&
        ms.some((m) => m.type === 'alert' && m.rule === 'denial_burst') &&
        ms.some((m) => m.type === 'metrics' && m.scope === 'site' && featureOf(m, 'Maya_Complete')),
      45_000,
      'holders on adsk-berlin, three debug-log lines, the denial-burst alert and the site roll-up',
    );

    const snapshot = MetricsMessageSchema.parse(holdersOf(client.messages).at(-1));
    const maya = snapshot.features!.find((f) => f.name === 'Maya_Complete')!;
    // Longest-held first, two of three (holdersPerFeature: 2), since in Berlin's winter offset.
    expect(maya.holders).toEqual([
      { user: pseudonym('render'), host: 'rn-12', display: '/dev/pts/3', version: '2024.0', count: 1, since: expect.stringMatching(/^\d{4}-01-12T22:15:00\+01:00$/), linger: null, borrowed: false },
      { user: pseudonym('jsmith'), host: 'ws-042', display: 'ws-042:0.0', version: '2024.0', count: 1, since: expect.stringMatching(/^\d{4}-01-15T09:30:00\+01:00$/), linger: null, borrowed: false },
    ]);
    expect(maya.holdersOmitted).toBe(1);
    expect(maya).toMatchObject({ queue: [], reservations: [] });
    // Roll-ups sum counts only: who holds what is the servers' to say.
    for (const rollup of client.messages.filter((m) => m.type === 'metrics' && m.scope !== undefined)) {
      for (const f of rollup.features as FeatureDetail[]) expect(f).not.toHaveProperty('holders');
    }
    expect(snapshot.features!.find((f) => f.name === 'MatchMover')!.holders).toEqual([expect.objectContaining({ user: pseudonym('kchen'), host: 'ws-013' })]);

    const logs = client.messages.filter((m) => m.type === 'log');
    expect(logs.map((m) => m.message)).toEqual(expect.arrayContaining([`${pseudonym('jsmith')}@ws-042 checked out Maya_Complete`]));
    expect(logs.find((m) => (m.metadata as { event?: string }).event === 'denied')).toMatchObject({
      metadata: { user: pseudonym('adoe'), host: 'ws-077', reason: `User ${pseudonym('adoe')} is in the EXCLUDE list. (-38,347)` },
    });
    expect(client.messages.find((m) => m.type === 'alert' && m.rule === 'denial_burst')).toMatchObject({ metadata: { user: pseudonym('adoe') } });

    // The webhook gets the alert as published: pseudonym and all.
    await waitUntil(() => hooked.length > 0, 'the denial-burst notification', 30_000);
    expect(JSON.parse(hooked[0]!)).toMatchObject({ rule: 'denial_burst', metadata: { user: pseudonym('adoe') } });

    // Nothing the client received, no notification, nothing the collector logged names a real user.
    for (const frame of [...client.raw, ...hooked]) expect(frame).not.toMatch(REAL_NAMES);
    for (const line of collector!.output) expect(line).not.toMatch(REAL_NAMES);
  }, 120_000);

  it('licmon who prints the holders through the gateway; --json gives them as published; a key of another site sees none', async () => {
    const who = (args: string[], key = API_KEY) => runCompiledLicmon(['who', ...args, '--url', gateway!.wsUrl, '--api-key', key], {});
    const [text, json, otherSite, scoped] = await Promise.all([
      who(['Maya_Complete']),
      who(['Maya_Complete', '--site', 'berlin', '--server', 'adsk-berlin', '--json']),
      who(['Maya_Complete', '--site', 'austin']),
      createKey(['--name', 'austin-only', '--sites', 'austin'], env, runCompiledLicmon).then((austinKey) => who(['Maya_Complete'], austinKey)),
    ]);

    expect(text).toMatchObject({ code: 0, stderr: '' });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('Maya_Complete on adsk-berlin (berlin): 4 of 10 in use, 0 queued, 0 reserved');
    expect(lines[1]).toMatch(/^ {2}USER\s+HOST\s+DISPLAY\s+SINCE\s+HELD\s+COUNT$/);
    // Longest-held first, with how long (days: the fixture's start times are in the past).
    expect(lines[2]).toMatch(new RegExp(`^ {2}${pseudonym('render')}\\s+rn-12\\s+/dev/pts/3\\s+\\d{4}-01-12 22:15:00\\+01:00\\s+\\d+d \\d\\dh\\s+1$`));
    expect(lines[3]).toMatch(new RegExp(`^ {2}${pseudonym('jsmith')}\\s+ws-042\\s+ws-042:0\\.0\\s+`));
    expect(lines[4]).toBe("  … 1 more (not published: the farm's holdersPerFeature bound)");
    expect(text.stdout).not.toMatch(REAL_NAMES);

    expect(json.code).toBe(0);
    const [entry, ...others] = JSON.parse(json.stdout) as Array<{ server: string; site: string; feature: FeatureDetail }>;
    expect(others).toEqual([]);
    expect(entry).toMatchObject({ server: 'adsk-berlin', site: 'berlin', feature: { name: 'Maya_Complete', used: 4, holdersOmitted: 1 } });
    expect(entry!.feature.holders!.map((h) => h.user)).toEqual([pseudonym('render'), pseudonym('jsmith')]);

    // Filtered to another site, or with a key scoped to one: no server reports it.
    for (const run of [otherSite, scoped]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/no license server.*reports feature "Maya_Complete"/);
    }
  }, 120_000);
});
