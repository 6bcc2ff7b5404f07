// The Prometheus registry both roles start from (prom-client): Node's default process metrics
// (CPU, memory, heap, event-loop lag, open fds, GC) and `licmon_build_info`. Each role then adds
// its own metrics to it (gateway/prometheus.ts, collector/prometheus/). One helper, so a gateway
// and a collector scrape alike and a dashboard can join them on the same labels.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { PROJECT_ROOT } from '../paths.ts';

/** `text/plain; version=0.0.4; charset=utf-8`: the exposition format, with its charset. */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

const PROJECT_VERSION = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

export interface BuildInfo {
  /** uWebSockets.js version and runtime (`20.30.0 native`); empty where the role does not load it. */
  readonly uws: string;
}

/** A fresh registry (never prom-client's global one: tests build several in one process). */
export function createMetricsRegistry(build: BuildInfo): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const info = new Gauge({
    name: 'licmon_build_info',
    help: 'Always 1; the labels say which build runs: the project version, Node.js version and uWebSockets.js version.',
    labelNames: ['version', 'node', 'uws'] as const,
    registers: [registry],
  });
  info.set({ version: PROJECT_VERSION, node: process.versions.node, uws: build.uws }, 1);
  return registry;
}
