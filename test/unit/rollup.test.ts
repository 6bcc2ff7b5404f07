// Per-site and farm roll-ups of the servers' snapshots.
import { describe, expect, it } from 'vitest';
import { rollUp, type ServerSnapshot } from '../../collector/license/rollup.ts';
import type { FeatureDetail } from '../../shared/protocol/index.ts';

const f = (name: string, issued: number | null, used: number, extra: Partial<FeatureDetail> = {}): FeatureDetail => ({
  name, vendor: 'adskflex', version: '1', issued, used, queued: 0, reserved: 0, available: issued === null ? null : issued - used, utilization: null, ...extra,
});
const snap = (site: string, server: string, status: 'up' | 'down', features: FeatureDetail[] = []): ServerSnapshot => ({ site, server, status, features });

describe('rollUp', () => {
  it('sums answering servers per site and farm, feature by feature; down and stale servers are counted, not summed', () => {
    const servers = [
      { site: 'berlin', snapshot: snap('berlin', 'a', 'up', [f('Maya', 10, 4, { queued: 1, expiry: '2025-12-31' }), f('Node', null, 2)]) },
      { site: 'berlin', snapshot: snap('berlin', 'b', 'up', [f('Maya', 10, 6, { reserved: 2, expiry: '2025-06-30' }), f('Arnold', 5, 5, { expiry: null })]) },
      { site: 'berlin', snapshot: snap('berlin', 'c', 'down') },
      { site: 'pune', snapshot: undefined },
      { site: 'pune', snapshot: snap('pune', 'e', 'up', [f('Maya', 5, 1)]) },
    ];
    const { sites, farm, licenses } = rollUp(['berlin', 'pune'], servers, '2024-01-15T10:30:00.000Z');
    const [berlin, pune] = sites;
    expect(berlin).toMatchObject({ type: 'metrics', site: 'berlin', source: 'site:berlin', scope: 'site', servers: { total: 3, up: 2, down: 1, stale: 0 }, licenses: { total: 25, used: 15, available: 10, utilization: 60 } });
    expect(berlin!.features).toEqual([
      { name: 'Maya', vendor: 'adskflex', issued: 20, used: 10, queued: 1, reserved: 2, available: 10, utilization: 50, servers: 2, expiry: '2025-06-30' },
      { name: 'Node', vendor: 'adskflex', issued: null, used: 2, queued: 0, reserved: 0, available: null, utilization: null, servers: 1 },
      { name: 'Arnold', vendor: 'adskflex', issued: 5, used: 5, queued: 0, reserved: 0, available: 0, utilization: 100, servers: 1, expiry: null },
    ]);
    expect(pune).toMatchObject({ servers: { total: 2, up: 1, down: 0, stale: 1 }, licenses: { total: 5, used: 1 } });
    expect(farm).toMatchObject({ source: 'farm', scope: 'farm', sites: 2, servers: { total: 5, up: 3, down: 1, stale: 1 }, licenses: { total: 30, used: 16, available: 14, utilization: 53.3 } });
    expect(farm).not.toHaveProperty('site');
    expect(licenses).toEqual(farm.licenses);
  });
});
