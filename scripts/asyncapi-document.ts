// The AsyncAPI 3 description of the WebSocket API, built from the protocol's own zod schemas and
// code tables (shared/protocol) so that it cannot drift from what the gateway accepts and sends.
// `npm run asyncapi` writes it to docs/asyncapi.yaml; test/unit/asyncapi.test.ts fails on drift.
import { stringify } from 'yaml';
import { z } from 'zod';
import {
  AlertMessageSchema, ConfigureActionSchema, ERROR_DESCRIPTIONS, ErrorCode, ErrorMessageSchema,
  FeatureDetailSchema, FilterActionSchema, FilterSchema, LogMessageSchema, MetricsMessageSchema, PingActionSchema, PollDetailSchema,
  PongMessageSchema, ServerCountsSchema, ServerHostSchema, SubscribeActionSchema, VendorDaemonSchema,
} from '../shared/protocol/index.ts';
import packageJson from '../package.json' with { type: 'json' };
import { renderCloseCodes } from './docs.ts';

type Json = Record<string, unknown>;

const SCHEMA_REF = (id: string) => `#/components/schemas/${id}`;

/**
 * Every wire schema as JSON Schema (draft-07, which AsyncAPI's schema format extends), named in
 * components/schemas; a schema used inside another (the filter) becomes a $ref. Server messages
 * are described as the gateway emits them (output), client actions as clients may write them (input).
 */
function componentSchemas(): Json {
  const schemas: Json = {};
  const convert = (io: 'input' | 'output', entries: Array<[string, z.ZodType]>) => {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of entries) registry.add(schema, { id });
    const result = z.toJSONSchema(registry, { target: 'draft-7', io, uri: SCHEMA_REF }) as { schemas: Record<string, Json> };
    for (const [id, schema] of Object.entries(result.schemas)) {
      const { $schema: _draft, id: _id, ...rest } = schema;
      schemas[id] = rest;
    }
  };
  convert('output', [
    ['LogMessage', LogMessageSchema],
    ['AlertMessage', AlertMessageSchema],
    ['MetricsMessage', MetricsMessageSchema],
    ['PongMessage', PongMessageSchema],
    ['ErrorMessage', ErrorMessageSchema],
    ['FeatureDetail', FeatureDetailSchema],
    ['ServerHost', ServerHostSchema],
    ['VendorDaemon', VendorDaemonSchema],
    ['ServerCounts', ServerCountsSchema],
    ['PollDetail', PollDetailSchema],
  ]);
  convert('input', [
    ['Filter', FilterSchema],
    ['SubscribeAction', SubscribeActionSchema],
    ['FilterAction', FilterActionSchema],
    ['ConfigureAction', ConfigureActionSchema],
    ['PingAction', PingActionSchema],
  ]);
  // The error code is a plain string on the wire (new codes may come); document the known ones.
  const error = schemas.ErrorMessage as { properties: Json };
  error.properties.code = {
    type: 'string',
    description: 'A stable code (the table in the API description).',
    examples: Object.values(ErrorCode),
  };
  return schemas;
}

const now = '2024-01-15T10:30:45.123Z';

/** Messages, each with the spec's own examples where it gives one. */
const MESSAGES: Record<string, { schema: string; title: string; summary: string; description?: string; examples: Json[] }> = {
  log: {
    schema: 'LogMessage', title: 'Log entry', summary: 'A log entry from a license server, a collector or a host.',
    description: '`id` (`<stream>:<epoch>:<ms>-<seq>`, the stream being the site or `_`) is assigned when the entry is published; resume after it with `since`. Fields beyond these are passed through.',
    examples: [{ name: 'spec', payload: { id: 'berlin:k3x9a2:1705314645123-0', type: 'log', timestamp: now, level: 'warn', message: 'License utilization at 90%', source: 'license-server', site: 'berlin', metadata: { server: 'flexlm-01', feature: 'Maya_Complete', utilization: 90 } } }],
  },
  alert: {
    schema: 'AlertMessage', title: 'Alert notification', summary: 'An alert firing or resolving: a log entry\'s fields plus rule, key and status.',
    description: '`key` is stable per condition: the same key fires and later resolves. Filters apply to alerts as to logs. An alert sent as current state (`activeAlerts`) is the original firing (same `id`, `timestamp`, `key`) plus `"active": true`, so it is told apart from a new firing.',
    examples: [{ name: 'utilization', payload: { id: 'berlin:k3x9a2:1705314645200-0', type: 'alert', timestamp: now, level: 'critical', message: 'Maya_Complete at 100% of 25 licenses', source: 'flexlm-01', site: 'berlin', metadata: { server: 'flexlm-01', feature: 'Maya_Complete' }, rule: 'feature_utilization', key: 'berlin/flexlm-01/Maya_Complete', status: 'firing' } }],
  },
  metrics: {
    schema: 'MetricsMessage', title: 'Metrics snapshot', summary: 'The latest snapshot of one license server, site, farm or host, every `interval` ms.',
    description: 'Latest-value and conflated: a connection gets the current snapshot of each (site, source) it may see at once, then every interval; never a backlog, and no id. `connections` counts this cluster\'s WebSocket connections. Beyond the spec\'s blocks, collectors publish one snapshot per license server (`server`, `status`, `features`, `hosts`, `vendors`, `poll`), roll-ups per site (`scope: site`, source `site:<name>`) and for the farm (`scope: farm`, source `farm`) with `servers` counts and summed `features`, and host metrics (source `host:<name>`, `host`, and in `servers` the license servers it runs). A server snapshot\'s features say who holds them: `holders` (user, host, display, version, count, `since` as ISO 8601 with the server\'s UTC offset, `linger` seconds, `borrowed`), longest-held first and at most the farm\'s `holdersPerFeature` (default 200), with `holdersOmitted` counting the rest; `reservations` (kind, target, count); and the `queue`, bounded likewise (`queueOmitted`). User names follow the farm\'s `privacy.users`: as printed (`plain`), a stable keyed pseudonym `u-` + 12 hex digits (`hashed`), or null (`hidden`). Key scopes apply to them as to every snapshot. All of these fields are optional.',
    examples: [
      { name: 'spec', payload: { type: 'metrics', timestamp: now, system: { cpu: { usage: 34.5, cores: 4 }, memory: { total: 8589934592, used: 4294967296, available: 4294967296, percentage: 50 }, disk: { total: 107374182400, used: 53687091200, available: 53687091200, percentage: 50 } }, licenses: { total: 100, used: 75, available: 25, utilization: 75 }, connections: { active: 12, total: 156 } } },
      {
        name: 'licenseServer',
        payload: {
          type: 'metrics', timestamp: now, site: 'berlin', source: 'flexlm-berlin-01', server: 'flexlm-berlin-01', kind: 'flexlm', address: '27000@lic-01,27000@lic-02,27000@lic-03', status: 'up',
          licenses: { total: 11, used: 5, available: 6, utilization: 45.5 },
          features: [
            { name: 'Maya_Complete', vendor: 'adskflex', version: '2024.000', issued: 10, used: 4, queued: 0, reserved: 0, available: 6, utilization: 40, expiry: '2025-12-31' },
            { name: 'MatchMover', vendor: 'adskflex', version: '2024.000', issued: 1, used: 1, queued: 2, reserved: 0, available: 0, utilization: 100, expiry: null },
          ],
          hosts: [
            { host: 'lic-01', port: 27000, status: 'up', master: true },
            { host: 'lic-02', port: 27000, status: 'up', master: false },
            { host: 'lic-03', port: 27000, status: 'down', master: false, error: 'Cannot connect to license server system.' },
          ],
          vendors: [{ name: 'adskflex', status: 'up', version: 'v11.16.2' }],
          poll: { durationMs: 212, unparsedLines: 0 },
        },
      },
      {
        name: 'siteRollup',
        payload: {
          type: 'metrics', timestamp: now, site: 'berlin', source: 'site:berlin', scope: 'site', servers: { total: 3, up: 2, down: 1, stale: 0 },
          licenses: { total: 20, used: 10, available: 10, utilization: 50 },
          features: [{ name: 'Maya_Complete', vendor: 'adskflex', issued: 20, used: 10, queued: 1, reserved: 2, available: 10, utilization: 50, servers: 2, expiry: '2025-06-30' }],
        },
      },
    ],
  },
  pong: {
    schema: 'PongMessage', title: 'Pong', summary: 'The answer to a ping.',
    examples: [{ name: 'spec', payload: { type: 'pong', timestamp: now } }],
  },
  error: {
    schema: 'ErrorMessage', title: 'Error', summary: 'A request was refused or history was lost; the connection stays up.',
    description: 'HISTORY_TRUNCATED also names the `stream` whose history after the requested id is no longer complete; what is kept follows it.',
    examples: [
      { name: 'spec', payload: { type: 'error', code: 'INVALID_FILTER', message: 'Invalid filter configuration', timestamp: now } },
      { name: 'history', payload: { type: 'error', code: 'HISTORY_TRUNCATED', stream: 'berlin', message: 'messages of stream "berlin" after k3x9a2:1705314645123-0 are no longer all kept; what is kept follows', timestamp: now } },
    ],
  },
  subscribe: {
    schema: 'SubscribeAction', title: 'Subscribe', summary: 'Set the filter; with `since`, first replay what matches after those ids; with `activeAlerts` and `lines`, first the current state.',
    description: '`since` is the last id seen in each stream, comma-separated; streams it does not name start live. The replay is followed by the live stream with no gap and no duplicate. `activeAlerts: true` (on /ws/combined) sends the alerts firing now, marked `"active": true`, before any live frame; `lines: N` (0 to 1000) sends the last N matching log lines of each stream from history, then continues as a resume would (no gap, no repeat). Streams named in `since` get neither. Bad values: INVALID_ACTIVE_ALERTS, INVALID_LINES.',
    examples: [
      { name: 'spec', payload: { action: 'subscribe', filter: { level: ['error', 'warn'], source: 'license-server', pattern: 'utilization' } } },
      { name: 'resume', payload: { action: 'subscribe', filter: { level: ['error'] }, since: 'berlin:k3x9a2:1705314645123-0,austin:p81cz0:1705314640007-3' } },
      { name: 'current state', payload: { action: 'subscribe', filter: { level: ['error', 'warn'] }, activeAlerts: true, lines: 200 } },
    ],
  },
  filter: {
    schema: 'FilterAction', title: 'Filter', summary: 'Replace the filter; `null` clears it (everything).',
    examples: [
      { name: 'update', payload: { action: 'filter', filter: { level: ['error'] } } },
      { name: 'clear', payload: { action: 'filter', filter: null } },
    ],
  },
  configure: {
    schema: 'ConfigureAction', title: 'Configure', summary: 'Set the metrics interval in milliseconds (default 5000).',
    examples: [{ name: 'spec', payload: { action: 'configure', interval: 5000 } }],
  },
  ping: {
    schema: 'PingAction', title: 'Ping', summary: 'Keep-alive: send every 30 s; idle connections are closed after 5 minutes.',
    examples: [{ name: 'spec', payload: { action: 'ping' } }],
  },
};

const CHANNELS = [
  { name: 'logs', title: 'Log stream', description: 'Real-time log streaming. Carries only `log` messages (and `pong`/`error` replies to the client\'s own actions).', stream: ['log'] },
  { name: 'metrics', title: 'Metrics stream', description: 'Real-time metrics snapshots; `source` in the filter selects which servers\' snapshots, `configure` sets the interval.', stream: ['metrics'] },
  { name: 'combined', title: 'Combined stream', description: 'Logs, metrics and alerts. Filters select logs and alerts alike; `source` (and `site`) also select metrics.', stream: ['log', 'metrics', 'alert'] },
] as const;

const ACTIONS = ['subscribe', 'filter', 'configure'] as const;

function channel(c: (typeof CHANNELS)[number]): Json {
  const names = [...c.stream, 'pong', 'error', ...ACTIONS, 'ping'];
  return {
    address: `/ws/${c.name}`,
    title: c.title,
    description: c.description,
    messages: Object.fromEntries(names.map((m) => [m, { $ref: `#/components/messages/${m}` }])),
    bindings: {
      ws: {
        method: 'GET',
        query: {
          type: 'object',
          properties: {
            api_key: { type: 'string', description: 'The API key (or offer the sub-protocols `api_key`, KEY instead).' },
            since: { type: 'string', description: 'Resume: the last id seen in each stream, comma-separated. Replay starts as the connection opens, under the filter given on the URL (if any).' },
            level: { type: 'string', description: 'Filter from the first frame: levels, comma-separated (as `filter.level`).' },
            source: { type: 'string', description: 'Filter from the first frame: sources, comma-separated (as `filter.source`).' },
            site: { type: 'string', description: 'Filter from the first frame: sites, comma-separated (as `filter.site`).' },
            pattern: { type: 'string', description: 'Filter from the first frame: a pattern (as `filter.pattern`).' },
            interval: { type: 'string', description: 'Metrics interval in ms from the first frame (as `configure`). An invalid filter or interval on the URL is answered with its error code and close 4400.' },
            lines: { type: 'string', description: 'Current state: the last N log lines (0 to 1000) of each stream, from history, before the live stream (as `subscribe`\'s `lines`; not on /ws/metrics). Invalid: INVALID_LINES and close 4400.' },
            active_alerts: { type: 'string', enum: ['1', '0', 'true', 'false'], description: 'Current state: the alerts firing now, marked `"active": true`, before any live frame (as `subscribe`\'s `activeAlerts`; /ws/combined only). Invalid: INVALID_ACTIVE_ALERTS and close 4400.' },
          },
        },
        bindingVersion: '0.1.0',
      },
    },
  };
}

function operations(): Json {
  const ref = (c: string, m: string) => ({ $ref: `#/channels/${c}/messages/${m}` });
  const ops: Json = {};
  for (const c of CHANNELS) {
    const channelRef = { $ref: `#/channels/${c.name}` };
    ops[`${c.name}Stream`] = {
      action: 'send', channel: channelRef, title: `${c.title}: messages to the client`,
      summary: 'What the gateway sends: stream messages matching the connection\'s filter, and errors.',
      messages: [...c.stream, 'error'].map((m) => ref(c.name, m)),
    };
    ops[`${c.name}Actions`] = {
      action: 'receive', channel: channelRef, title: `${c.title}: client actions`,
      summary: 'Filter and interval changes; a bad one is answered with an error message and changes nothing.',
      messages: ACTIONS.map((m) => ref(c.name, m)),
    };
    ops[`${c.name}Ping`] = {
      action: 'receive', channel: channelRef, title: `${c.title}: keep-alive`,
      summary: 'Ping; the gateway answers pong, in order with everything else it sends.',
      messages: [ref(c.name, 'ping')],
      reply: { channel: channelRef, messages: [ref(c.name, 'pong')] },
    };
  }
  return ops;
}

function description(): string {
  const errorRows = Object.values(ErrorCode).map((code) => `| \`${code}\` | ${ERROR_DESCRIPTIONS[code]} |`);
  return [
    'License Monitor streams license-farm logs, metrics and alerts over WebSockets: `/ws/logs`, `/ws/metrics` and `/ws/combined`, served by any number of gateways behind a load balancer.',
    '',
    '## Authentication',
    'Every connection needs an API key: `?api_key=KEY` on the URL, or the sub-protocols `["api_key", KEY]` (the browser form; the gateway selects `api_key` and never echoes the key). A missing or wrong key is refused with HTTP 401 at the upgrade, a key outside its scope with 403.',
    '',
    '## Resume',
    'Every `log` and `alert` carries an `id`, `<stream>:<epoch>:<ms>-<seq>`: the stream is the message\'s site (or `_` for messages without one), and ids of one stream and epoch increase by ms, then seq. Order is guaranteed within a stream. To resume, send the last id seen in each stream, comma-separated, as `since` — on the URL or in `subscribe` — and the gateway replays what was missed, then continues live, with no gap and no duplicate. If it no longer holds everything after an id, an `error` with code `HISTORY_TRUNCATED` names the stream first.',
    '',
    '## Error codes',
    '| Code | Meaning |',
    '|------|---------|',
    ...errorRows,
    '',
    '## Close codes',
    '4000–4399: reconnect (and resume); 4400–4499: do not reconnect with the same request (its URL or its key).',
    '',
    renderCloseCodes(),
  ].join('\n');
}

export function buildAsyncApiDocument(): Json {
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'License Monitor WebSocket API',
      version: packageJson.version,
      description: description(),
    },
    defaultContentType: 'application/json',
    servers: {
      gateway: {
        host: '{host}:{port}', protocol: 'ws', title: 'A gateway (or the balancer in front of them)',
        variables: { host: { default: 'localhost' }, port: { default: '8080' } },
        security: [{ $ref: '#/components/securitySchemes/apiKeyQuery' }, { $ref: '#/components/securitySchemes/apiKeySubProtocol' }],
      },
      gatewayTls: {
        host: '{host}', protocol: 'wss', title: 'With TLS',
        variables: { host: { default: 'hostname' } },
        security: [{ $ref: '#/components/securitySchemes/apiKeyQuery' }, { $ref: '#/components/securitySchemes/apiKeySubProtocol' }],
      },
    },
    channels: Object.fromEntries(CHANNELS.map((c) => [c.name, channel(c)])),
    operations: operations(),
    components: {
      schemas: componentSchemas(),
      messages: Object.fromEntries(Object.entries(MESSAGES).map(([name, m]) => [name, {
        name, title: m.title, summary: m.summary, ...(m.description ? { description: m.description } : {}),
        contentType: 'application/json',
        payload: { $ref: SCHEMA_REF(m.schema) },
        examples: m.examples,
      }])),
      securitySchemes: {
        apiKeyQuery: { type: 'httpApiKey', name: 'api_key', in: 'query', description: 'The API key as the `api_key` query parameter (the spec\'s recommended form).' },
        apiKeySubProtocol: {
          type: 'httpApiKey', name: 'Sec-WebSocket-Protocol', in: 'header',
          description: 'The browser form: `new WebSocket(url, ["api_key", KEY])` offers two sub-protocols; the gateway answers `Sec-WebSocket-Protocol: api_key` (never the key). The key must be a valid token.',
        },
      },
    },
  };
}

export function renderAsyncApiYaml(): string {
  return `# Generated by \`npm run asyncapi\` from shared/protocol (scripts/asyncapi-document.ts). Do not edit.\n${stringify(buildAsyncApiDocument(), { lineWidth: 0 })}`;
}
