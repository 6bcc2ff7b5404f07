// Regenerates the README's table of contents (from its headings) and its configuration, close-code
// and Prometheus metrics tables (from the code), so the documentation cannot drift: `npm run docs`. test/unit/docs.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { CollectorMetrics } from '../collector/prometheus/collector-metrics.ts';
import { GatewayMetrics } from '../gateway/prometheus.ts';
import { GatewayStats } from '../gateway/stats.ts';
import { CollectorConfigSchema, GatewayConfigSchema } from '../shared/config.ts';
import { CLOSE_CODES } from '../shared/protocol/close-codes.ts';
import { replaceSection } from './marked-sections.ts';

/**
 * The configuration table: every variable of the gateway and collector schemas, its default (from
 * the schema itself) and its meaning (the doc comment above it in shared/config.ts; a variable in
 * a group under one comment shares it). A variable without a comment fails the docs test.
 */
export function renderConfig(): string {
  const source = readFileSync(new URL('../shared/config.ts', import.meta.url), 'utf8').split('\n');
  const gatewayDefaults = GatewayConfigSchema.parse({}) as Record<string, unknown>;
  const collectorDefaults = CollectorConfigSchema.parse({}) as Record<string, unknown>;
  const names = [...new Set([...Object.keys(GatewayConfigSchema.shape), ...Object.keys(CollectorConfigSchema.shape)])];
  const rows = names.map((name) => {
    const usedBy = [name in GatewayConfigSchema.shape ? 'gateway' : '', name in CollectorConfigSchema.shape ? 'collector' : ''].filter(Boolean).join(', ');
    const fallback = name in gatewayDefaults ? gatewayDefaults[name] : collectorDefaults[name];
    return `| \`${name}\` | ${formatDefault(fallback)} | ${usedBy} | ${describeVariable(source, name)} |`;
  });
  return ['| variable | default | used by | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** Every close code of shared/protocol/close-codes.ts (README, and docs/asyncapi.yaml's description). */
export function renderCloseCodes(): string {
  const rows = CLOSE_CODES.map((e) => `| ${e.code} | \`${e.name}\` | ${e.sentBy} | ${e.reconnect ? 'yes' : 'no'} | ${e.reason.replace(/\|/g, '\\|')} |`);
  return ['| code | name | sent by | reconnect | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

/**
 * Every metric a gateway and a collector serve, read from their registries (names, types, labels
 * and help as Prometheus sees them). prom-client's standard process and Node.js metrics, the same
 * on both, are one row.
 */
export function renderMetrics(): string {
  const none = () => 0;
  const gateway = new GatewayMetrics(new GatewayStats(), { connectionsByEndpoint: () => ({}), clusterConnections: none, filterGroups: none, metricsSnapshots: none, busReady: () => false, draining: () => false }, '').registry;
  const collector = new CollectorMetrics().registry;
  const standard = new Set<string>();
  const rows = new Map<string, string>();
  const add = (registry: Registry, role: string) => {
    for (const metric of registry.getMetricsAsArray()) {
      const { name, help, type } = metric as unknown as { name: string; help: string; type: string };
      if (!name.startsWith('licmon_') && !name.startsWith('flexlm_')) {
        standard.add(name);
        continue;
      }
      const labels = ((metric as unknown as { labelNames: string[] }).labelNames ?? []).map((l) => `\`${l}\``).join(', ');
      const roles = rows.has(name) ? 'gateway, collector' : role;
      rows.set(name, `| \`${name}\` | ${type} | ${labels || '—'} | ${roles} | ${help.replace(/\|/g, '\\|')} |`);
    }
  };
  add(gateway, 'gateway');
  add(collector, 'collector');
  const sorted = [...rows.keys()].sort().map((name) => rows.get(name)!);
  const defaults = `| ${[...standard].sort().map((n) => `\`${n}\``).join(', ')} | (prom-client defaults) | — | gateway, collector | Process CPU, memory, open fds, heap, GC and event-loop lag of the Node.js process |`;
  return ['| metric | type | labels | served by | meaning |', '|---|---|---|---|---|', ...sorted, defaults].join('\n');
}

/**
 * The README's table of contents: its `##` sections, each with its `###` subsections, linked by
 * GitHub's heading anchors (lower case, punctuation dropped, spaces to hyphens, `-1`… on repeats).
 */
export function renderToc(readme: string): string {
  const seen = new Map<string, number>();
  const lines: string[] = [];
  let fenced = false;
  for (const line of readme.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = fenced ? null : /^(##|###) (.+)$/.exec(line);
    if (!heading) continue;
    const title = heading[2]!.trim();
    const slug = title.toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    const text = title.replace(/`/g, '');
    if (heading[1] === '##') lines.push(`- [${text}](#${n ? `${slug}-${n}` : slug})`);
    else lines.push(`  - [${text}](#${n ? `${slug}-${n}` : slug})`);
  }
  return lines.join('\n');
}

function formatDefault(value: unknown): string {
  if (value === undefined) return '—';
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

function describeVariable(lines: string[], name: string): string {
  const at = lines.findIndex((line) => line.startsWith(`  ${name}:`));
  if (at < 0) throw new Error(`${name} is not defined on a line of its own in shared/config.ts`);
  let end = at - 1;
  while (end >= 0 && /^ {2}[A-Z][A-Z0-9_]*:/.test(lines[end]!)) end--; // a group under one comment
  if (end < 0 || !lines[end]!.trim().endsWith('*/')) throw new Error(`${name} has no doc comment in shared/config.ts`);
  let start = end;
  while (start > 0 && !lines[start]!.includes('/**')) start--;
  return lines.slice(start, end + 1).join(' ')
    .replace(/\/\*\*|\*\/|^\s*\*|\s\*\s/g, ' ').replace(/\s+/g, ' ').replace(/\|/g, '\\|').trim();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL('../README.md', import.meta.url);
  let readme = readFileSync(path, 'utf8');
  readme = replaceSection(readme, 'config', renderConfig());
  readme = replaceSection(readme, 'close-codes', renderCloseCodes());
  readme = replaceSection(readme, 'metrics', renderMetrics());
  readme = replaceSection(readme, 'toc', renderToc(readme));
  writeFileSync(path, readme);
}
