// The farm configuration file: the shipped example is valid and means what it says; JSON works
// too; every mistake is reported with its file, line, column and key path.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FarmConfigError, loadFarmConfig, parseFarmConfig } from '../../collector/farm/load-farm-config.ts';

const EXAMPLE = new URL('../../deploy/farm.example.yaml', import.meta.url).pathname;
const SECRETS = { LICMON_WEBHOOK_TOKEN: 'tok', SLACK_WEBHOOK_PATH: 'T0/B0/x', SMTP_PASSWORD: 'pw' };

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseFarmConfig(text, 'farm.yaml', env);
  } catch (err) {
    if (err instanceof FarmConfigError) return [...err.problems];
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
}

const MINIMAL = `sites:
  berlin:
    servers:
      - id: flexlm-01
        kind: flexlm
        address: 27000@lic-01
`;

describe('farm configuration', () => {
  it('reads the shipped example: servers normalized with their site and every default applied', async () => {
    const farm = await loadFarmConfig(EXAMPLE, SECRETS);
    expect(farm.sites).toEqual(['berlin', 'austin']);
    expect(farm.servers.map((s) => [s.id, s.site, s.kind])).toEqual([
      ['flexlm-berlin-01', 'berlin', 'flexlm'],
      ['cadence-berlin', 'berlin', 'flexlm'],
      ['matlab-austin', 'austin', 'flexlm'],
      ['rlm-austin', 'austin', 'rlm'],
    ]);
    const [adsk, cadence, matlab, rlm] = farm.servers;
    expect(adsk).toEqual({
      id: 'flexlm-berlin-01',
      site: 'berlin',
      kind: 'flexlm',
      address: '27000@lic-berlin-01',
      hosts: [{ port: 27000, host: 'lic-berlin-01' }],
      command: '/opt/flexnet/bin/lmutil',
      debugLog: '/var/log/flexlm/adskflex.log',
      debugLogHost: 'lic-berlin-01',
      timeZone: 'Europe/Berlin',
      pollIntervalMs: 60_000,
      timeoutMs: 30_000,
      expiryRefreshMs: 3_600_000,
      holdersPerFeature: 200,
      privacy: { users: 'plain' },
    });
    expect(cadence).toMatchObject({ hosts: [{ host: 'cds-lic1' }, { host: 'cds-lic2' }, { host: 'cds-lic3' }], command: '/eda/cadence/tools/bin/lmutil', pollIntervalMs: 30_000, timeoutMs: 27_000, debugLogHost: 'cds-lic2' });
    expect(matlab).toMatchObject({ timeZone: 'America/Chicago', timeoutMs: 20_000 });
    expect(matlab).not.toHaveProperty('debugLog');
    expect(rlm).toMatchObject({ kind: 'rlm', command: '/opt/rlm/rlmutil', pollIntervalMs: 120_000 });
    expect(farm.rollupIntervalMs).toBe(15_000);
    expect(farm.alerts.featureUtilization).toEqual({ enabled: true, level: 'warn', fireAt: 90, clearBelow: 80, features: { MATLAB: { fireAt: 95, clearBelow: 85 } } });
    expect(farm.alerts.denialBurst).toMatchObject({ count: 5, window: 300_000 });
    expect(farm.alerts.expiry.stages.map((s) => s.days)).toEqual([90, 30, 7]);
    expect(farm.notifications.webhooks.map((w) => [w.name, w.format, w.url])).toEqual([
      ['ops-json', 'json', 'https://hooks.example.com/licmon'],
      ['slack-eda', 'slack', 'https://hooks.slack.com/services/T0/B0/x'],
    ]);
    expect(farm.notifications.webhooks[0]!.headers).toEqual({ Authorization: 'Bearer tok' });
    expect(farm.notifications.email).toMatchObject({ smtp: { host: 'smtp.example.com', port: 587, secure: false, user: 'licmon', password: 'pw' }, to: ['license-admins@example.com'], minLevel: 'critical' });
    expect(farm.notifications.retry).toEqual({ attempts: 12, backoff: 5000 });
  });

  it('fills every default from a minimal file, and reads JSON as well as YAML', () => {
    const fromYaml = parseFarmConfig(MINIMAL, 'farm.yaml', {});
    expect(fromYaml.servers[0]).toMatchObject({ command: 'lmutil', pollIntervalMs: 60_000, timeoutMs: 30_000 });
    expect(fromYaml.servers[0]!.timeZone).toBeUndefined();
    expect(fromYaml.alerts.serverDown).toEqual({ enabled: true, level: 'critical' });
    expect(fromYaml.notifications).toEqual({ webhooks: [], retry: { attempts: 12, backoff: 5000 } });
    const json = JSON.stringify({ sites: { berlin: { servers: [{ id: 'flexlm-01', kind: 'flexlm', address: '27000@lic-01' }] } } }, null, 2);
    expect(parseFarmConfig(json, 'farm.json', {})).toEqual(fromYaml);
  });

  it('takes privacy.users and holdersPerFeature (farm default, per-server override); hashed needs a key of 16 characters or more', () => {
    const farm = parseFarmConfig(
      `defaults: { holdersPerFeature: 50 }
privacy: { users: hidden }
sites:
  berlin:
    servers:
      - { id: a, kind: flexlm, address: 27000@lic-a }
      - { id: b, kind: flexlm, address: 27000@lic-b, holdersPerFeature: 0 }
`,
      'farm.yaml',
      {},
    );
    expect(farm.privacy).toEqual({ users: 'hidden' });
    expect(farm.servers.map((s) => [s.id, s.holdersPerFeature, s.privacy.users])).toEqual([
      ['a', 50, 'hidden'],
      ['b', 0, 'hidden'],
    ]);

    const hashed = `privacy:\n  users: hashed\n${MINIMAL}`;
    expect(problems(hashed)).toEqual([
      'farm.yaml:2:3: privacy.users: hashed needs a key: set privacy.key (e.g. privacy.key: ${LICMON_PRIVACY_KEY}) or the environment variable LICMON_PRIVACY_KEY',
    ]);
    expect(problems(hashed, { LICMON_PRIVACY_KEY: 'short' })).toEqual(['farm.yaml:2:3: privacy.users: LICMON_PRIVACY_KEY must be at least 16 characters']);
    expect(problems(`privacy: { users: hashed, key: short }\n${MINIMAL}`)).toEqual(['farm.yaml:1:27: privacy.key: must be at least 16 characters']);
    expect(parseFarmConfig(hashed, 'farm.yaml', { LICMON_PRIVACY_KEY: 'k'.repeat(16) }).servers[0]!.privacy).toEqual({ users: 'hashed', key: 'k'.repeat(16) });
    // The file's key wins over the environment's.
    expect(parseFarmConfig(`privacy: { users: hashed, key: "${'f'.repeat(20)}" }\n${MINIMAL}`, 'farm.yaml', { LICMON_PRIVACY_KEY: 'e'.repeat(16) }).privacy).toEqual({ users: 'hashed', key: 'f'.repeat(20) });
    expect(problems(`privacy: { users: pseudonym }\n${MINIMAL}`)).toEqual(['farm.yaml:1:12: privacy.users: Invalid option: expected one of "plain"|"hashed"|"hidden"']);
    expect(problems(`defaults: { holdersPerFeature: -1 }\n${MINIMAL}`)[0]).toMatch(/^farm\.yaml:1:13: defaults\.holdersPerFeature: /);
  });

  it('names the line, column and key of every mistake', () => {
    const text = `defaults:
  pollInterval: soon
sites:
  berlin:
    timezone: Mars/Olympus
    servers:
      - id: flexlm-01
        kind: flexlm
        address: 27000lic-01
        pollIntervl: 30s
      - id: rlm-01
        kind: rlmx
        address: 5053@rlm
      - kind: rlm
        address: 5053@rlm2
  "bad site":
    servers: []
alerts:
  featureUtilization: { fireAt: 70, clearBelow: 80 }
  noSuchRule: {}
notifications:
  webhooks:
    - url: ftp://example.com/hook
`;
    expect(problems(text)).toEqual([
      'farm.yaml:2:3: defaults.pollInterval: "soon" is not a duration: write a number with ms, s, m, h, d or w (e.g. 1500ms, 30s, 1.5h, 2w)',
      'farm.yaml:5:5: sites.berlin.timezone: must be an IANA time zone, e.g. Europe/Berlin or UTC',
      'farm.yaml:9:9: sites.berlin.servers[0].address: must be port@host, or three of them comma-separated for a FlexLM triad (e.g. 27000@lic-01)',
      'farm.yaml:10:9: sites.berlin.servers[0].pollIntervl: unknown key (a typo?)',
      'farm.yaml:12:9: sites.berlin.servers[1].kind: Invalid option: expected one of "flexlm"|"rlm"',
      'farm.yaml:14:9: sites.berlin.servers[2].id: is required',
      'farm.yaml:16:3: sites.bad site: a site is 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit',
      'farm.yaml:19:37: alerts.featureUtilization.clearBelow: clearBelow must not be above fireAt',
      'farm.yaml:20:3: alerts.noSuchRule: unknown key (a typo?)',
      'farm.yaml:23:7: notifications.webhooks[0].url: must be an http:// or https:// URL',
    ]);
  });

  it('reports duplicate server ids, YAML syntax errors, missing environment variables and a missing file', async () => {
    const duplicate = `${MINIMAL}  pune:
    servers:
      - { id: flexlm-01, kind: flexlm, address: 27000@lic-02 }
`;
    expect(problems(duplicate)).toEqual(['farm.yaml:9:11: sites.pune.servers[0].id: duplicate server id "flexlm-01" (also in site berlin)']);
    expect(problems('sites:\n  berlin: [\n')).toEqual([expect.stringMatching(/^farm\.yaml:3:1: /)]);
    expect(problems(`${MINIMAL}        command: \${LMUTIL_HOME}/lmutil\n`)).toEqual(['farm.yaml:7:9: sites.berlin.servers[0].command: environment variable LMUTIL_HOME is not set']);
    expect(parseFarmConfig(`${MINIMAL}        command: \${LMUTIL_HOME}/lmutil\n`, 'farm.yaml', { LMUTIL_HOME: '/opt/flexnet' }).servers[0]!.command).toBe('/opt/flexnet/lmutil');
    expect(problems('')).toEqual(['farm.yaml:1:1: sites: is required']);
    const dir = mkdtempSync(join(tmpdir(), 'licmon-farm-'));
    await expect(loadFarmConfig(join(dir, 'missing.yaml'))).rejects.toThrow(/missing\.yaml: cannot read/);
    writeFileSync(join(dir, 'farm.yaml'), MINIMAL);
    expect((await loadFarmConfig(join(dir, 'farm.yaml'), {})).servers).toHaveLength(1);
  });
});
