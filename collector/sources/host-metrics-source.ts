// This collector's host as a polled source: the spec's `system` block (cpu usage and cores,
// memory and disk totals) from systeminformation, published with source `host:<name>`. A
// collector on a license server's machine (where it tails the debug log) reports that machine.
import { currentLoad, fsSize, mem } from 'systeminformation';
import type { MetricsMessage } from '../../shared/protocol/index.ts';
import type { PolledSource } from './source.ts';

/** File systems that are not disks: memory, overlays of container images, read-only images. */
const NOT_DISKS = new Set(['tmpfs', 'devtmpfs', 'overlay', 'squashfs', 'ramfs', 'proc', 'sysfs', 'cgroup', 'cgroup2']);

export function hostMetricsSource(host: string, intervalMs: number, site?: string): PolledSource {
  // systeminformation measures cpu load since its previous call: the first call sets the baseline.
  let baseline: Promise<unknown> | undefined = currentLoad();
  return {
    kind: 'polled',
    name: `host:${host}`,
    intervalMs,
    async poll() {
      await baseline;
      baseline = undefined;
      const [load, memory, disks] = await Promise.all([currentLoad(), mem(), fsSize()]);
      const seen = new Set<string>();
      let total = 0;
      let used = 0;
      let available = 0;
      for (const disk of disks) {
        if (NOT_DISKS.has(disk.type) || seen.has(disk.fs)) continue;
        seen.add(disk.fs);
        total += disk.size;
        used += disk.used;
        available += disk.available;
      }
      const memoryUsed = memory.total - memory.available;
      const message: MetricsMessage = {
        type: 'metrics',
        timestamp: new Date().toISOString(),
        source: `host:${host}`,
        host,
        system: {
          cpu: { usage: round1(load.currentLoad), cores: load.cpus.length },
          memory: { total: memory.total, used: memoryUsed, available: memory.available, percentage: pct(memoryUsed, memory.total) },
          disk: { total, used, available, percentage: pct(used, used + available) },
        },
      };
      if (site !== undefined) message.site = site;
      return [message];
    },
  };
}

function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : round1((part / whole) * 100);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
