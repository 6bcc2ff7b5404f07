// What SREs install (deploy/grafana, deploy/prometheus) checked against the real thing: the
// dashboard parses and every query in it, and every alert rule, names only metrics that a running
// gateway or collector serves (started here, scraped); the rules pass `promtool check rules`
// (Debian's prometheus package; without it, a structural check of the rule file); the
// ServiceMonitor scrapes ports the Services of deploy/k8s have.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { FAKE_BIN_DIR } from '../fixtures/fixtures.ts';
import { metricFamilies } from '../support/prometheus-text.ts';
import { randomPrefix, ROOT, startGateway, startProcess, type RunningGateway, type RunningProcess } from '../support/processes.ts';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'licmon-prom-deploy-'));

interface Dashboard {
  panels: Array<{ type: string; title: string; targets?: Array<{ expr: string }> }>;
  templating: { list: Array<{ name: string; definition?: string }> };
}
interface RuleGroup {
  name: string;
  rules: Array<{ alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
}

const dashboard = JSON.parse(read('deploy/grafana/licmon-dashboard.json')) as Dashboard;
const ruleObject = parse(read('deploy/prometheus/rules.yaml')) as { apiVersion: string; kind: string; spec: { groups: RuleGroup[] } };
const monitor = parse(read('deploy/prometheus/servicemonitor.yaml')) as { kind: string; spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> } };

/** Metric names in a PromQL expression: our own and prom-client's prefixes (label names never start so). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:licmon|flexlm|process|nodejs)_[a-zA-Z0-9_]+)/g)].map((m) => m[1]!);
}

const queries = [
  ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: t.expr }))),
  ...dashboard.templating.list.flatMap((v) => (v.definition ? [{ where: `dashboard variable ${v.name}`, expr: v.definition }] : [])),
  ...ruleObject.spec.groups.flatMap((g) => g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr }))),
];

let gateway: RunningGateway;
let collector: RunningProcess;
const served = new Set<string>();

beforeAll(async () => {
  const farmFile = join(dir, 'farm.yaml');
  writeFileSync(farmFile, `defaults:
  pollInterval: 500ms
  lmutil: ${join(FAKE_BIN_DIR, 'lmutil-fast')}
sites:
  berlin:
    servers:
      - { id: mlm, kind: flexlm, address: "27000@prom-lic01" }
`);
  const prefix = randomPrefix();
  [gateway, collector] = await Promise.all([
    startGateway({ REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, API_KEYS: 'k' }),
    Promise.resolve(startProcess('collector/main.ts', { REDIS_URL: inject('redisUrl'), REDIS_KEY_PREFIX: prefix, FARM_CONFIG: farmFile, HOST_METRICS_INTERVAL_MS: '0' })),
  ]);
  const listening = await collector.waitForLog((l) => l.msg === 'collector http listening', 30_000);
  await collector.waitForLog((l) => l.msg === 'farm watched', 30_000);
  for (const url of [`${gateway.httpUrl}/metrics`, `http://127.0.0.1:${listening.port as number}/metrics`]) {
    for (const family of metricFamilies(await (await fetch(url)).text())) served.add(family);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all([gateway?.kill(), collector?.kill()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('deploy/grafana and deploy/prometheus', () => {
  it('the dashboard is Grafana JSON: panels with queries, gateway and license rows', () => {
    const panels = dashboard.panels.filter((p) => p.type !== 'row');
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const p of panels) expect(p.targets?.length, p.title).toBeGreaterThan(0);
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Gateways', 'Licenses', 'Collectors']);
  });

  it('every metric the dashboard and the rules name is served by a running gateway or collector', () => {
    expect(served.has('licmon_gateway_frames_sent_total') && served.has('flexlm_feature_used')).toBe(true);
    const missing: string[] = [];
    for (const { where, expr } of queries) {
      const names = metricsIn(expr);
      expect(names.length, `${where} names a metric: ${expr}`).toBeGreaterThan(0);
      // A histogram's _bucket/_count/_sum series belong to its family.
      for (const name of names) if (!served.has(name) && !served.has(name.replace(/_(bucket|count|sum)$/, ''))) missing.push(`${where}: ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('the PrometheusRule covers the agreed alerts and passes promtool check rules', () => {
    expect(ruleObject).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    const alerts = ruleObject.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(['LicmonGatewayNotReady', 'LicmonGatewayCatchUpFailing', 'LicmonSlowConsumerDrops', 'LicmonCollectorPollFailures', 'LicenseServerDown', 'LicenseFeatureExhausted']));
    const file = join(dir, 'rules.yml');
    writeFileSync(file, stringify({ groups: ruleObject.spec.groups }));
    const promtool = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    if (promtool.error) {
      // No promtool here (.ci/run installs it): the rule file's shape, at least.
      for (const group of ruleObject.spec.groups) {
        expect(group.name).toMatch(/^\S+$/);
        for (const rule of group.rules) {
          expect(typeof rule.alert, JSON.stringify(rule)).toBe('string');
          expect(rule.expr.trim()).not.toBe('');
          if (rule.for !== undefined) expect(rule.for).toMatch(/^\d+[smhd]$/);
          expect(rule.labels?.severity).toMatch(/^(critical|warning)$/);
          expect(rule.annotations?.summary).toBeTruthy();
        }
      }
    } else {
      expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
      expect(promtool.stdout).toMatch(new RegExp(`SUCCESS: ${alerts.length} rules found`));
    }
  });

  it('the ServiceMonitor scrapes /metrics on the ports of the gateway and collector Services', () => {
    expect(monitor.kind).toBe('ServiceMonitor');
    const services = readdirSync(join(ROOT, 'deploy/k8s'))
      .filter((f) => f.endsWith('.yaml'))
      .flatMap((f) => parseAllDocuments(read(`deploy/k8s/${f}`)).map((d) => d.toJS() as { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: { ports?: Array<{ name: string }> } }))
      .filter((o) => o.kind === 'Service');
    const selected = services.filter((s) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => s.metadata.labels?.[k] === v));
    expect(selected.map((s) => s.metadata.name).sort()).toEqual(['licmon-collector', 'licmon-gateway']);
    const ports = selected.flatMap((s) => (s.spec.ports ?? []).map((p) => p.name));
    for (const endpoint of monitor.spec.endpoints) {
      expect(ports).toContain(endpoint.port);
      expect(endpoint.path).toBe('/metrics');
    }
  });
});
