// A parsed status → flexlm_exporter samples: version blocks summed once per feature (whether the
// parser gives them as one feature or as several entries of one name), per user and version,
// uncounted features without `issued`, reservations by kind, and the user-label mapping applied.
import { describe, expect, it } from 'vitest';
import { serverSeries, type ServerSeries } from '../../collector/prometheus/license-series.ts';
import { emptyFeatureUsage, type Checkout, type FeatureUsage, type LicenseServerStatus } from '../../collector/parsers/types.ts';

const server = { id: 'mlm', site: 'berlin', kind: 'flexlm' as const, address: '27000@lic' };

function checkout(user: string, version: string, count = 1): Checkout {
  return { user, host: 'h', display: 'd', version, server: 'lic', port: 27000, handle: '1', start: null, count };
}

function feature(name: string, version: string, extra: Partial<FeatureUsage>): FeatureUsage {
  return { ...emptyFeatureUsage(name, 'MLM', version), ...extra };
}

function status(features: FeatureUsage[]): LicenseServerStatus {
  return { tool: 'lmstat', reachable: true, error: null, servers: [{ host: 'lic', port: 27000, status: 'up', master: true, version: '11.18.0', error: null }], vendors: [], features, unparsed: [] };
}

const values = (series: ServerSeries, name: string) => (series.get(name) ?? []).map(({ labels, value }) => ({ ...labels, value }));

describe('serverSeries', () => {
  it('sums a feature given as several version blocks, and counts each user per version', () => {
    const series = serverSeries(server, status([
      feature('MATLAB', '2023', { issued: 10, used: 3, checkouts: [checkout('alice', '2023'), checkout('bob', '2023', 2)], expiry: '2026-03-31' }),
      feature('MATLAB', '2024', { issued: 5, used: 2, checkouts: [checkout('alice', '2024'), checkout('alice', '2024')], expiry: null }),
    ]), (u) => u);
    expect(values(series, 'flexlm_feature_issued')).toEqual([{ app: 'mlm', name: 'MATLAB', value: 15 }]);
    expect(values(series, 'flexlm_feature_used')).toEqual([{ app: 'mlm', name: 'MATLAB', value: 5 }]);
    expect(values(series, 'flexlm_feature_used_users')).toEqual([
      { app: 'mlm', name: 'MATLAB', user: 'alice', version: '2023', value: 1 },
      { app: 'mlm', name: 'MATLAB', user: 'bob', version: '2023', value: 2 },
      { app: 'mlm', name: 'MATLAB', user: 'alice', version: '2024', value: 2 },
    ]);
    // Expiry stays per block, numbered as flexlm_exporter numbers them.
    expect(values(series, 'flexlm_feature_expiration_seconds')).toEqual([
      { app: 'mlm', name: 'MATLAB', index: '1', licenses: '10', vendor: 'MLM', version: '2023', value: Date.UTC(2026, 2, 31) / 1000 },
      { app: 'mlm', name: 'MATLAB', index: '2', licenses: '5', vendor: 'MLM', version: '2024', value: Infinity },
    ]);
  });

  it('gives uncounted features no issued count, and sorts reservations by kind', () => {
    const series = serverSeries(server, status([
      feature('NodeLocked', '1.0', { issued: null, uncounted: true, used: 1, checkouts: [checkout('carol', '1.0')] }),
      feature('Toolbox', '1.0', { issued: 4, reserved: 4, reservations: [
        { count: 2, kind: 'GROUP', target: 'dsp', server: null, port: null },
        { count: 1, kind: 'HOST_GROUP', target: 'lab', server: null, port: null },
        { count: 1, kind: 'HOST', target: 'ws-7', server: null, port: null },
      ] }),
    ]), (u) => u);
    expect(values(series, 'flexlm_feature_issued')).toEqual([{ app: 'mlm', name: 'Toolbox', value: 4 }]);
    expect(values(series, 'flexlm_feature_used')).toEqual([{ app: 'mlm', name: 'NodeLocked', value: 1 }, { app: 'mlm', name: 'Toolbox', value: 0 }]);
    expect(values(series, 'flexlm_feature_reserved_groups')).toEqual([{ app: 'mlm', name: 'Toolbox', group: 'dsp', value: 2 }, { app: 'mlm', name: 'Toolbox', group: 'lab', value: 1 }]);
    expect(values(series, 'flexlm_feature_reserved_host')).toEqual([{ app: 'mlm', name: 'Toolbox', host: 'ws-7', value: 1 }]);
    expect(values(series, 'licmon_feature_reserved')).toContainEqual({ app: 'mlm', name: 'Toolbox', value: 4 });
  });

  it('puts every user name through the user-label mapping (the farm\'s privacy setting)', () => {
    const series = serverSeries(server, status([feature('F', '1', { issued: 2, used: 2, checkouts: [checkout('alice', '1'), checkout('bob', '1')] })]), () => 'hidden');
    expect(values(series, 'flexlm_feature_used_users')).toEqual([{ app: 'mlm', name: 'F', user: 'hidden', version: '1', value: 2 }]);
  });

  it('reports an unreachable server as down, with its hosts, and no feature figures', () => {
    const down: LicenseServerStatus = { ...status([]), reachable: false, error: 'down', servers: [{ host: 'lic', port: 27000, status: 'down', master: false, version: null, error: 'down' }] };
    const series = serverSeries(server, down, (u) => u);
    expect(values(series, 'licmon_license_server_up')).toEqual([{ app: 'mlm', value: 0 }]);
    expect(values(series, 'flexlm_server_status')).toEqual([{ app: 'mlm', fqdn: 'lic', master: 'false', port: '27000', version: '', value: 0 }]);
    expect(values(series, 'licmon_license_server_info')).toEqual([{ app: 'mlm', site: 'berlin', kind: 'flexlm', address: '27000@lic', value: 1 }]);
    expect(series.has('flexlm_feature_used')).toBe(false);
  });
});
