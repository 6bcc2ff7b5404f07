// Every alert rule through the real engine and state: it fires, says so once however often the
// condition is seen again (de-duplication), does not flap around its threshold or on unknown data
// (hysteresis), and resolves — with the firing alert's key, rule, site and server — when it clears.
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../collector/alerts/alert-engine.ts';
import { MemoryAlertState } from '../../collector/alerts/alert-state.ts';
import { pollFailed, pollSucceeded } from '../../collector/alerts/rules/collector-failure.ts';
import { DenialBursts } from '../../collector/alerts/rules/denial-burst.ts';
import { FARM_SCOPE, farmUtilization, staleData } from '../../collector/alerts/rules/farm-rules.ts';
import { pollRules } from '../../collector/alerts/rules/poll-rules.ts';
import { aboveThreshold, type Transition } from '../../collector/alerts/transitions.ts';
import { AlertRulesSchema, type AlertRules } from '../../collector/farm/alert-rules-config.ts';
import type { FeatureUsage, LicenseServerStatus, ServerState } from '../../collector/parsers/types.ts';
import type { AlertMessage } from '../../shared/protocol/index.ts';

const NOW = new Date('2024-01-15T10:30:00Z');
const single = { id: 'flexlm-01', site: 'berlin', address: '27000@lic-01', hosts: [{ port: 27000, host: 'lic-01' }], pollIntervalMs: 60_000 };
const triad = { id: 'cds', site: 'berlin', address: '5280@a,5280@b,5280@c', hosts: ['a', 'b', 'c'].map((host) => ({ port: 5280, host })), pollIntervalMs: 60_000 };

function feature(name: string, issued: number, used: number, extra: Partial<FeatureUsage> = {}): FeatureUsage {
  return { name, vendor: 'adskflex', version: '1.0', issued, used, queued: 0, reserved: 0, uncounted: false, error: null, checkouts: [], queue: [], reservations: [], ...extra };
}

function host(name: string, status: 'up' | 'down'): ServerState {
  return { host: name, port: 5280, status, master: false, version: null, error: status === 'down' ? 'Cannot connect' : null };
}

function status(features: FeatureUsage[], extra: Partial<LicenseServerStatus> = {}): LicenseServerStatus {
  return { tool: 'lmstat', reachable: true, error: null, servers: [host('lic-01', 'up')], vendors: [{ name: 'adskflex', status: 'up', version: null, error: null }], features, unparsed: [], ...extra };
}
const unreachable = (): LicenseServerStatus => status([], { reachable: false, error: 'Cannot connect to license server system.', servers: [], vendors: [] });

/** An engine over fresh memory state, and the alerts each evaluation answered. */
function harness(rules: Partial<Record<keyof AlertRules, unknown>> = {}) {
  const engine = new AlertEngine(new MemoryAlertState());
  const config = AlertRulesSchema.parse(rules);
  return {
    config,
    engine,
    poll: (s: LicenseServerStatus, server = single, now = NOW) => engine.evaluate(server.id, pollRules(server, s, config, now)),
    run: (scope: string, rules: (firing: ReadonlySet<string>) => Transition[]) => engine.evaluate(scope, rules),
  };
}

const summary = (alerts: AlertMessage[]) => alerts.map((a) => `${a.status} ${a.key}`);

describe('feature_utilization', () => {
  it('fires at the threshold, once, holds between the bounds, resolves below clearBelow, fires again', async () => {
    const h = harness({ saturation: { enabled: false } });
    const key = 'feature_utilization:berlin:flexlm-01:Maya';
    const at = (used: number) => h.poll(status([feature('Maya', 10, used)]));
    expect(await at(8)).toEqual([]);
    const [fired] = await at(9);
    expect(fired).toMatchObject({ type: 'alert', status: 'firing', rule: 'feature_utilization', key, level: 'warn', site: 'berlin', source: 'license-server', metadata: { server: 'flexlm-01', feature: 'Maya', utilization: 90, issued: 10, used: 9, threshold: 90 } });
    expect(fired!.message).toBe('License utilization at 90% for Maya on flexlm-01 (9 of 10)');
    expect(await at(10)).toEqual([]);
    expect(await at(8)).toEqual([]); // 80%: not below clearBelow
    const [resolved] = await at(7);
    expect(resolved).toMatchObject({ status: 'resolved', key, rule: 'feature_utilization', level: 'info', site: 'berlin', metadata: { server: 'flexlm-01', feature: 'Maya', utilization: 70, firedLevel: 'warn' } });
    expect(await at(8)).toEqual([]);
    expect(summary(await at(9))).toEqual([`firing ${key}`]);
  });

  it('uses per-feature thresholds, sums a feature listed twice, ignores uncounted ones', async () => {
    const h = harness({ featureUtilization: { features: { MATLAB: { fireAt: 95, clearBelow: 85 } } } });
    const alerts = await h.poll(status([feature('MATLAB', 20, 18), feature('Maya', 5, 4), feature('Maya', 5, 5), feature('Node', 0, 3, { uncounted: true, issued: null })]));
    expect(summary(alerts)).toEqual(['firing feature_utilization:berlin:flexlm-01:Maya']);
    expect(alerts[0]!.metadata).toMatchObject({ issued: 10, used: 9 });
    expect(summary(await h.poll(status([feature('MATLAB', 20, 19), feature('Maya', 10, 9)])))).toEqual(['firing feature_utilization:berlin:flexlm-01:MATLAB']);
  });

  it('keeps its alerts while the server does not answer; resolves when the feature is no longer served', async () => {
    const h = harness();
    await h.poll(status([feature('Maya', 10, 10), feature('Arnold', 4, 4)]));
    expect(summary(await h.poll(unreachable()))).toEqual(['firing server_down:berlin:flexlm-01']);
    const cleared = await h.poll(status([feature('Maya', 10, 10)]));
    expect(summary(cleared)).toEqual(['resolved server_down:berlin:flexlm-01', 'resolved feature_utilization:berlin:flexlm-01:Arnold', 'resolved feature_saturated:berlin:flexlm-01:Arnold']);
    expect(cleared[1]!.message).toContain('no longer served');
  });
});

describe('feature_saturated', () => {
  it('fires when every license is in use or users queue, once; holds down to clearBelow while a queue remains', async () => {
    const h = harness({ featureUtilization: { enabled: false } });
    const key = 'feature_saturated:berlin:flexlm-01:Spectre';
    const at = (used: number, queued = 0) => h.poll(status([feature('Spectre', 20, used, { queued })]));
    expect(await at(19)).toEqual([]);
    expect(summary(await at(18, 2))).toEqual([`firing ${key}`]);
    expect((await h.poll(status([feature('Spectre', 20, 20, { queued: 0 })])))).toEqual([]);
    expect(await at(19)).toEqual([]); // 95%: not below clearBelow
    expect(await at(15, 1)).toEqual([]); // users still queued
    const [resolved] = await at(18);
    expect(resolved).toMatchObject({ status: 'resolved', key, message: 'Spectre on flexlm-01 has licenses free again: 18 of 20 in use' });
    expect(summary(await at(20))).toEqual([`firing ${key}`]);
  });
});

describe('server_down', () => {
  it('fires when no server answers, once, at critical; unknown polls change nothing; resolves when it answers', async () => {
    const h = harness();
    const [fired] = await h.poll(unreachable());
    expect(fired).toMatchObject({ status: 'firing', rule: 'server_down', key: 'server_down:berlin:flexlm-01', level: 'critical', metadata: { server: 'flexlm-01', address: '27000@lic-01' } });
    expect(fired!.message).toBe('License server flexlm-01 (27000@lic-01) is down: Cannot connect to license server system.');
    expect(await h.poll(unreachable())).toEqual([]);
    expect(summary(await h.poll(status([])))).toEqual(['resolved server_down:berlin:flexlm-01']);
    expect(await h.poll(status([]))).toEqual([]);
  });
});

describe('vendor_down', () => {
  it('fires per daemon, once; says nothing while the server is down; resolves when the daemon is up', async () => {
    const h = harness();
    const vendors = (cdslmd: 'up' | 'down') => [{ name: 'adskflex', status: 'up' as const, version: null, error: null }, { name: 'cdslmd', status: cdslmd, version: null, error: cdslmd === 'down' ? 'The desired vendor daemon is down. (-97,121)' : null }];
    const [fired] = await h.poll(status([], { vendors: vendors('down') }));
    expect(fired).toMatchObject({ status: 'firing', key: 'vendor_down:berlin:flexlm-01:cdslmd', level: 'error', metadata: { vendor: 'cdslmd' } });
    expect(await h.poll(status([], { vendors: vendors('down') }))).toEqual([]);
    expect(summary(await h.poll(unreachable()))).toEqual(['firing server_down:berlin:flexlm-01']);
    expect(summary(await h.poll(status([], { vendors: vendors('up') })))).toEqual(['resolved server_down:berlin:flexlm-01', 'resolved vendor_down:berlin:flexlm-01:cdslmd']);
  });
});

describe('triad_member_down and quorum_lost', () => {
  const triadStatus = (a: 'up' | 'down', b: 'up' | 'down', c: 'up' | 'down') => status([], { servers: [host('a', a), host('b', b), host('c', c)] });

  it('a member down fires once per member; quorum lost below two of three; both resolve as servers return', async () => {
    const h = harness();
    const poll = (s: LicenseServerStatus) => h.poll(s, triad);
    expect(await poll(triadStatus('up', 'up', 'up'))).toEqual([]);
    const [member] = await poll(triadStatus('up', 'up', 'down'));
    expect(member).toMatchObject({ status: 'firing', rule: 'triad_member_down', key: 'triad_member_down:berlin:cds:c', level: 'warn', metadata: { host: 'c', server: 'cds' } });
    expect(member!.message).toContain('2 of 3 up');
    expect(await poll(triadStatus('up', 'up', 'down'))).toEqual([]);
    const lost = await poll(triadStatus('up', 'down', 'down'));
    expect(summary(lost)).toEqual(['firing quorum_lost:berlin:cds', 'firing triad_member_down:berlin:cds:b']);
    expect(lost[0]).toMatchObject({ level: 'critical', message: 'Triad cds lost quorum: 1 of 3 servers up, no licenses served' });
    expect(await poll(triadStatus('up', 'down', 'down'))).toEqual([]);
    expect(summary(await poll(triadStatus('up', 'up', 'down')))).toEqual(['resolved quorum_lost:berlin:cds', 'resolved triad_member_down:berlin:cds:b']);
    expect(summary(await poll(triadStatus('up', 'up', 'up')))).toEqual(['resolved triad_member_down:berlin:cds:c']);
  });

  it('never fires for a single server', async () => {
    const h = harness();
    expect(await h.poll(status([], { servers: [host('lic-01', 'down'), host('lic-02', 'up')] }))).toEqual([]);
  });
});

describe('license_expiry', () => {
  it('fires one alert per stage reached, at its level; keeps them while the expiry is unknown; resolves all on renewal', async () => {
    const h = harness({ featureUtilization: { enabled: false } });
    const at = (expiry: string | null | undefined, now: string) => h.poll(status([feature('Maya', 10, 1, expiry === undefined ? {} : { expiry })]), single, new Date(now));
    expect(await at('2024-06-30', '2024-01-15T10:00:00Z')).toEqual([]);
    const first = await at('2024-06-30', '2024-04-15T10:00:00Z');
    expect(summary(first)).toEqual(['firing license_expiry:berlin:flexlm-01:Maya:90d']);
    expect(first[0]).toMatchObject({ level: 'info', message: 'Maya on flexlm-01 expires in 76 days (2024-06-30)', metadata: { feature: 'Maya', expiry: '2024-06-30', daysLeft: 76, withinDays: 90 } });
    expect(await at('2024-06-30', '2024-04-16T10:00:00Z')).toEqual([]);
    expect(summary(await at(undefined, '2024-06-24T10:00:00Z'))).toEqual([]);
    const sharper = await at('2024-06-30', '2024-06-24T10:00:00Z');
    expect(sharper.map((a) => [a.key.split(':').pop(), a.level])).toEqual([['30d', 'warn'], ['7d', 'critical']]);
    expect((await at('2024-06-30', '2024-07-02T10:00:00Z'))).toEqual([]);
    const renewed = await at('2025-06-30', '2024-07-02T10:00:00Z');
    expect(summary(renewed).sort()).toEqual(['90d', '30d', '7d'].map((d) => `resolved license_expiry:berlin:flexlm-01:Maya:${d}`).sort());
    expect(renewed[0]!.message).toBe('Maya on flexlm-01 was renewed: it now expires on 2025-06-30');
    expect(await at(null, '2024-07-02T10:00:00Z')).toEqual([]);
  });

  it('says "expired" once the date has passed', async () => {
    const h = harness({ featureUtilization: { enabled: false }, expiry: { stages: [{ days: 7, level: 'critical' }] } });
    const [alert] = await h.poll(status([feature('Maya', 10, 1, { expiry: '2024-01-10' })]));
    expect(alert).toMatchObject({ level: 'critical', message: 'Maya on flexlm-01 expired on 2024-01-10' });
  });
});

describe('denial_burst', () => {
  it('fires at `count` denials in the window, once; holds down to half; resolves as the window empties; fires again', async () => {
    const h = harness({ denialBurst: { count: 4, window: '60s' } });
    const bursts = new DenialBursts(single, h.config.denialBurst);
    const key = 'denial_burst:berlin:flexlm-01:Spectre';
    const t0 = NOW.getTime();
    const at = (ms: number) => h.run(single.id, (firing) => bursts.evaluate(t0 + ms, firing));
    for (const ms of [0, 1000, 2000]) bursts.record('Spectre', t0 + ms, { user: 'jdoe' });
    expect(await at(2000)).toEqual([]);
    bursts.record('Spectre', t0 + 3000, { user: 'lsfadm', reason: 'Licensed number of users already reached. (-4,342)' });
    const [fired] = await at(3000);
    expect(fired).toMatchObject({ status: 'firing', key, level: 'warn', metadata: { feature: 'Spectre', denials: 4, user: 'lsfadm', windowMs: 60_000 } });
    expect(fired!.message).toBe('4 denials of Spectre on flexlm-01 in the last 60 s (last: Licensed number of users already reached. (-4,342))');
    bursts.record('Spectre', t0 + 4000, {});
    expect(await at(4000)).toEqual([]);
    expect(await at(62_500)).toEqual([]); // 2 left in the window (3000, 4000): still half of 4
    const [resolved] = await at(63_500); // 1 left
    expect(resolved).toMatchObject({ status: 'resolved', key, metadata: { denials: 1 } });
    for (const ms of [70_000, 70_001, 70_002, 70_003]) bursts.record('Spectre', t0 + ms, {});
    expect(summary(await at(70_003))).toEqual([`firing ${key}`]);
  });
});

describe('farm_utilization', () => {
  it('fires on the farm-wide figure with hysteresis, once, and resolves', async () => {
    const h = harness();
    const at = (used: number) => h.run(FARM_SCOPE, (firing) => farmUtilization({ total: 100, used, available: 100 - used, utilization: used }, h.config.farmUtilization, NOW.toISOString(), firing));
    expect(await at(84)).toEqual([]);
    const [fired] = await at(85);
    expect(fired).toMatchObject({ status: 'firing', key: 'farm_utilization:farm', level: 'warn', source: 'license-farm', message: 'Farm-wide license utilization at 85% (85 of 100)' });
    expect(fired!.site).toBeUndefined();
    expect(await at(90)).toEqual([]);
    expect(await at(75)).toEqual([]);
    expect(summary(await at(74))).toEqual(['resolved farm_utilization:farm']);
  });
});

describe('stale_data', () => {
  it('fires after `intervals` poll intervals without a successful poll (counted from when watching began), once, and resolves', async () => {
    const h = harness();
    const t0 = NOW.getTime();
    const at = (lastPollAt: number | undefined, now: number) => h.run(FARM_SCOPE, (firing) => staleData([{ server: single, lastPollAt }], h.config.staleData, now, t0, firing));
    expect(await at(undefined, t0 + 180_000)).toEqual([]); // never polled, but only watching for 3 intervals
    expect(await at(t0 - 3_600_000, t0 + 180_000)).toEqual([]); // an old snapshot from before: judged from t0
    const [fired] = await at(undefined, t0 + 180_001);
    expect(fired).toMatchObject({ status: 'firing', rule: 'stale_data', key: 'stale_data:berlin:flexlm-01', level: 'error', source: 'collector', site: 'berlin', metadata: { server: 'flexlm-01', lastPollAt: null } });
    expect(await at(t0 + 1000, t0 + 200_000)).toEqual([]);
    expect(summary(await at(t0 + 199_000, t0 + 200_000))).toEqual(['resolved stale_data:berlin:flexlm-01']);
  });
});

describe('collector_failure', () => {
  it('fires at the `failures`-th failed poll in a row, once; a success resolves it and starts the count again', async () => {
    const h = harness({ collectorFailure: { failures: 2 } });
    const fail = async () => {
      const failures = await h.engine.state.countFailure(single.id);
      return h.engine.apply(single.id, pollFailed(single, failures, 'lmutil did not finish within 1000 ms and was killed', h.config.collectorFailure, NOW.toISOString()));
    };
    const succeed = async () => {
      await h.engine.state.clearFailures(single.id);
      return h.engine.apply(single.id, pollSucceeded(single, NOW.toISOString()));
    };
    expect(await fail()).toEqual([]);
    const [fired] = await fail();
    expect(fired).toMatchObject({ status: 'firing', key: 'collector_failure:berlin:flexlm-01', level: 'error', source: 'collector', metadata: { failures: 2 } });
    expect(await fail()).toEqual([]);
    expect(summary(await succeed())).toEqual(['resolved collector_failure:berlin:flexlm-01']);
    expect(await succeed()).toEqual([]);
    expect(await fail()).toEqual([]);
  });
});

describe('disabled rules and hysteresis helper', () => {
  it('a disabled rule never fires', async () => {
    const h = harness({ serverDown: { enabled: false } });
    expect(await h.poll(unreachable())).toEqual([]);
  });

  it('aboveThreshold: fires at fireAt, holds down to clearBelow', () => {
    const threshold = { fireAt: 90, clearBelow: 80 };
    let firing = false;
    const seen = [85, 90, 89, 81, 80, 79.9, 85, 90].map((value) => (firing = aboveThreshold(value, firing, threshold)));
    expect(seen).toEqual([false, true, true, true, true, false, false, true]);
  });
});
