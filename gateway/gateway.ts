// Wires a gateway together: the uWS app and its routes, the hub, the metrics clock, presence
// reporting, the idle sweep and the drain. Dependencies come in explicitly; nothing reads the
// environment here.
import { randomBytes } from 'node:crypto';
import type { us_listen_socket, WebSocket } from 'uWebSockets.js';
import type { KeyStore } from '../shared/auth/key-store.ts';
import type { Bus } from '../shared/bus/index.ts';
import type { GatewayConfig } from '../shared/config.ts';
import type { Logger } from '../shared/logger.ts';
import { CloseCode } from '../shared/protocol/index.ts';
import { handleClientFrame } from './actions.ts';
import type { Authenticator } from './auth/authenticator.ts';
import { ENDPOINTS, KIND_METRICS } from './endpoints.ts';
import { setUpConnection, type SetupContext } from './connection-setup.ts';
import { compileFilter } from './filter/filter.ts';
import { registerHttpRoutes } from './http.ts';
import { Hub } from './hub.ts';
import { Intake } from './intake.ts';
import { registerUsageRoute } from './usage/usage-route.ts';
import { MetricsClock } from './metrics-clock.ts';
import { GatewaySecurity } from './security.ts';
import { Session } from './session.ts';
import { GatewayMetrics } from './prometheus.ts';
import { GatewayStats } from './stats.ts';
import { createApp } from './tls.ts';
import { createUpgradeHandler, type UpgradeDeps, type UserData } from './upgrade.ts';
import { listenExclusive, requireNativeUws, uWS, uwsBuild, uwsRuntime, uwsVersion } from './uws.ts';

export interface GatewayDeps {
  config: GatewayConfig;
  bus: Bus;
  logger: Logger;
  /** The Redis API key store (with revocation); without it only config.API_KEYS admit. */
  keyStore?: KeyStore;
  /** Replaces config.API_KEYS and the key store. */
  authenticator?: Authenticator;
}

export interface Gateway {
  readonly port: number;
  readonly nodeId: string;
  /** Drain (readyz 503, refuse upgrades, wait DRAIN_DELAY_MS), close clients with 1012, stop. */
  drain(delayMs?: number): Promise<void>;
  /** Stop at once: close clients with 1012 and the listen socket. Does not close the bus. */
  stop(): Promise<void>;
}

const PRESENCE_INTERVAL_MS = 1000;
/** How long a new connection's first live frames wait for its first action (see holdUntilFirstAction). */
const FIRST_ACTION_HOLD_MS = 250;

export async function createGateway({ config, bus, logger, keyStore, authenticator }: GatewayDeps): Promise<Gateway> {
  requireNativeUws(config.ALLOW_UWS_FALLBACK, logger);
  const nodeId = config.NODE_ID ?? `gw-${randomBytes(4).toString('hex')}`;
  const stats = new GatewayStats();
  const security = new GatewaySecurity({ config, logger, keyStore, authenticator, countError: stats.countError });
  const clock = new MetricsClock();
  const sessions = new Set<Session>();
  let draining = false;
  let nextSessionId = 1;
  let cluster = { active: 0, total: 0 };
  const metrics = new GatewayMetrics(stats, {
    connectionsByEndpoint: () => countByEndpoint(sessions),
    clusterConnections: () => cluster.active,
    filterGroups: (): number => hub.groupCount,
    metricsSnapshots: () => clock.snapshotCount,
    busReady: () => bus.ready,
    draining: () => draining,
  }, `${uwsVersion} ${uwsRuntime}`);
  const hub: Hub = new Hub(metrics);
  const intake = new Intake({ bus, hub, clock, counters: stats, logger, timings: metrics });
  const actions: SetupContext = {
    hub,
    intake,
    clock,
    bus,
    minInterval: config.METRICS_MIN_INTERVAL_MS,
    maxInterval: config.METRICS_MAX_INTERVAL_MS,
    countError: stats.countError,
    filterLimits: security.filterLimits,
    firstActionHoldMs: FIRST_ACTION_HOLD_MS,
    timeReplay: metrics.timeReplay,
  };

  const upgradeDeps: UpgradeDeps = { security, logger, isDraining: () => draining, countRejected: (status) => stats.countRejectedUpgrade(status) };

  const { app, scheme } = createApp(config);
  for (const endpoint of ENDPOINTS) {
    app.ws<UserData>(endpoint.path, {
      compression: uWS.DISABLED,
      // uWS drops a frame over its own limit by cutting the TCP connection (the client sees 1006);
      // a higher hard cap lets the gateway read a moderately oversized frame and close with 1009.
      maxPayloadLength: Math.max(1024 * 1024, config.MAX_PAYLOAD_BYTES * 4),
      maxBackpressure: config.MAX_BACKPRESSURE_BYTES,
      closeOnBackpressureLimit: 0,
      // Idleness is judged on client messages by our own sweep (the spec's 5 minutes, with a clear close code).
      idleTimeout: 0,
      sendPingsAutomatically: false,
      upgrade: createUpgradeHandler(endpoint, upgradeDeps),
      open: (ws) => {
        const data = ws.getUserData();
        const params = data.params!;
        data.params = undefined;
        const defaultInterval = endpoint.kinds & KIND_METRICS ? config.METRICS_DEFAULT_INTERVAL_MS : 0;
        const session = new Session(nextSessionId++, ws, endpoint, params.principal, compileFilter(null, params.principal.sites), defaultInterval, stats);
        data.session = session;
        sessions.add(session);
        security.opened(session, params.address);
        stats.connectionsOpened++;
        setUpConnection(session, params, actions);
      },
      message: (ws, message, isBinary) => {
        const data = ws.getUserData();
        const session = data.session!;
        session.lastActivityAt = Date.now();
        stats.clientMessages++;
        if (!security.admitMessage(session, data.rate)) return;
        if (message.byteLength > config.MAX_PAYLOAD_BYTES) {
          return session.close(CloseCode.MESSAGE_TOO_BIG, `message too big: the limit is ${config.MAX_PAYLOAD_BYTES} bytes`);
        }
        if (isBinary) {
          stats.countError('INVALID_MESSAGE');
          return session.sendError('INVALID_MESSAGE', 'binary frames are not supported: send JSON text frames');
        }
        handleClientFrame(session, Buffer.from(message).toString('utf8'), actions);
      },
      ping: (ws) => {
        ws.getUserData().session!.lastActivityAt = Date.now();
      },
      pong: (ws) => {
        ws.getUserData().session!.lastActivityAt = Date.now();
      },
      close: (ws: WebSocket<UserData>) => {
        const session = ws.getUserData().session;
        if (!session) return;
        session.closed = true;
        hub.leave(session);
        sessions.delete(session);
        security.closed(session);
      },
    });
  }

  registerUsageRoute(app, { bus, security, logger });
  registerHttpRoutes(app, {
    isReady: () => bus.ready && !draining,
    describe: () => ({ node: nodeId, bus: bus.ready ? 'connected' : 'disconnected', draining, connections: sessions.size }),
    prometheus: () => metrics.render(),
  });

  // Bus → intake → hub (see intake.ts: de-duplication, history heads, catch-up after a fault).
  await security.start();
  await intake.start();
  clock.start();

  // Presence: cluster-wide connection figures for the metrics' `connections` block.
  let reportedOpened = 0;
  const presence = setInterval(() => {
    const opened = stats.connectionsOpened - reportedOpened;
    bus.reportConnections(nodeId, sessions.size, opened).then(
      (figures) => {
        reportedOpened += opened;
        cluster = figures;
        clock.setConnections(figures);
      },
      () => undefined, // Bus away: the opened count is reported next time.
    );
  }, PRESENCE_INTERVAL_MS);

  // Idle sweep: the spec closes connections after 5 minutes without a client message.
  const idleSweep = config.IDLE_TIMEOUT_MS > 0
    ? setInterval(() => {
        const cutoff = Date.now() - config.IDLE_TIMEOUT_MS;
        for (const session of sessions) {
          if (session.lastActivityAt < cutoff) {
            stats.idleDisconnects++;
            session.close(CloseCode.IDLE_TIMEOUT, `idle timeout: no message from the client for ${Math.round(config.IDLE_TIMEOUT_MS / 1000)}s; send pings to stay connected`);
          }
        }
      }, Math.min(1000, Math.max(100, config.IDLE_TIMEOUT_MS / 4)))
    : undefined;

  const listenSocket: us_listen_socket = await listenExclusive(app, config.HOST, config.PORT);
  const port = uWS.us_socket_local_port(listenSocket as never);
  logger.info({ port, host: config.HOST, node: nodeId, uws: uwsBuild ?? uwsRuntime, bus: bus.kind, tls: scheme === 'wss' }, 'gateway listening');

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      draining = true;
      clearInterval(presence);
      clearInterval(idleSweep);
      security.stop();
      intake.stop();
      for (const session of sessions) session.close(CloseCode.SERVICE_RESTART, 'service restart: this gateway is shutting down; reconnect');
      await waitFor(() => sessions.size === 0, config.SHUTDOWN_GRACE_MS);
      for (const session of sessions) session.socket.close();
      clock.stop();
      uWS.us_listen_socket_close(listenSocket);
      logger.info({ node: nodeId }, 'gateway stopped');
    })());

  return {
    port,
    nodeId,
    stop,
    async drain(delayMs = config.DRAIN_DELAY_MS) {
      draining = true;
      logger.info({ delayMs, connections: sessions.size }, 'draining: readyz is 503; closing clients after the delay');
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await stop();
    },
  };
}

function countByEndpoint(sessions: Set<Session>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ENDPOINTS.map((e) => [e.name, 0]));
  for (const session of sessions) counts[session.endpoint.name]!++;
  return counts;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
}
