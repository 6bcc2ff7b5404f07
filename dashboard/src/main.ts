// The dashboard page: wires the key form, the connection, the stores and the panels. Messages
// update the stores and ask the frame scheduler for a repaint of the panels they affect.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import type { LogMessage, MetricsMessage } from '@licmon/client';
import { DashboardConnection } from './connection.ts';
import { required } from './dom.ts';
import { FrameScheduler } from './frame-scheduler.ts';
import { forgetKey, storedKey, storeKey } from './key-storage.ts';
import { featuresOf, scopeOf } from './metrics-fields.ts';
import { AlertsPanel } from './panels/alerts-panel.ts';
import { ConnectionBadge } from './panels/connection-badge.ts';
import { FarmOverview } from './panels/farm-overview.ts';
import { HostMetrics } from './panels/host-metrics.ts';
import { KeyForm } from './panels/key-form.ts';
import { LicenseCharts } from './panels/license-charts.ts';
import { LogFilterControls } from './panels/log-filter-controls.ts';
import { LogTail } from './panels/log-tail.ts';
import { AlertStore } from './store/alert-store.ts';
import { FarmStore } from './store/farm-store.ts';
import { HolderStore } from './store/holder-store.ts';
import { SeriesStore } from './store/series-store.ts';
import { UsageHistoryStore } from './store/usage-history.ts';

const scheduler = new FrameScheduler();
const farm = new FarmStore();
const series = new SeriesStore();
const alerts = new AlertStore();
const holders = new HolderStore();

const badge = new ConnectionBadge(required('#connection'), required('#connection-detail'));
const overview = new FarmOverview(required('#farm'), farm);
const hosts = new HostMetrics(required('#hosts'), farm);
const alertsPanel = new AlertsPanel(required('#alerts'), alerts);
const renderCharts = () => charts.render(Date.now());
const charts = new LicenseCharts(required('#licenses'), series, holders, () => scheduler.request(renderCharts));
const tail = new LogTail(required('#tail'), scheduler);
const filters = new LogFilterControls(required('#tail-filters'), (filter) => {
  tail.clear();
  connection?.setTailFilter(filter);
});

const renderOverview = () => overview.render();
const renderHosts = () => hosts.render();
const renderAlerts = () => alertsPanel.render(Date.now());

const dashboard = required('#dashboard');
const forgetButton = required<HTMLButtonElement>('#forget-key');
const keyForm = new KeyForm(required('#key-panel'), required('#key-form'), required('#key-input'), required('#key-error'), (key) => {
  storeKey(key);
  connect(key);
});

let connection: DashboardConnection | undefined;

function connect(key: string): void {
  keyForm.hide();
  dashboard.hidden = false;
  forgetButton.hidden = false;
  // The gateway that served this page (behind a balancer: any of them), under the same path.
  const gateway = new URL('.', location.href).href;
  charts.history = new UsageHistoryStore(gateway, key, () => scheduler.request(renderCharts), (text) => tail.add(notice(text)));
  connection = new DashboardConnection(gateway, key, {
    log: (log) => tail.add(log),
    alert: (alert) => {
      alerts.add(alert);
      scheduler.request(renderAlerts);
    },
    metrics: onMetrics,
    state: (view) => badge.show(view),
    keyRefused: (reason) => {
      forgetKey();
      keyForm.ask(`${reason}: enter another key`);
    },
    tailFilterRejected: (reason) => {
      filters.showError(`the gateway rejected this filter (${reason}); showing every line`);
      tail.clear();
    },
    notice: (text) => tail.add(notice(text)),
  });
  const filter = filters.current();
  if (filter !== null) connection.setTailFilter(filter);
}

function onMetrics(message: MetricsMessage): void {
  const scope = scopeOf(message);
  const changed = farm.apply(message, scope);
  if (scope.kind === 'server') holders.apply(message);
  if (changed === 'farm') scheduler.request(renderOverview);
  if (changed === 'hosts') scheduler.request(renderHosts);
  const features = featuresOf(message);
  if (features.length > 0 && message.source !== undefined) {
    series.add(message.source, message.timestamp, features);
    scheduler.request(renderCharts);
  }
}

function notice(text: string): LogMessage {
  return { type: 'log', timestamp: new Date().toISOString(), level: 'warn', source: 'dashboard', message: text };
}

forgetButton.addEventListener('click', () => {
  forgetKey();
  connection?.close();
  // A fresh page: nothing the old key could see stays on screen or in memory.
  location.reload();
});

// Durations ("firing for 3m") and expiry countdowns move with the clock.
setInterval(() => {
  scheduler.request(renderAlerts);
  scheduler.request(renderCharts);
}, 1000);

const key = storedKey();
if (key) connect(key);
else keyForm.ask();
