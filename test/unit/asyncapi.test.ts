// docs/asyncapi.yaml: regenerated from the protocol's schemas and compared with the committed file
// (CI fails on drift), validated by the AsyncAPI parser, and checked against the code tables.
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildAsyncApiDocument, renderAsyncApiYaml } from '../../scripts/asyncapi-document.ts';
import {
  AlertMessageSchema, CLOSE_CODES, ConfigureActionSchema, ErrorCode, ErrorMessageSchema, FilterActionSchema, LEVELS,
  LogMessageSchema, MetricsMessageSchema, PingActionSchema, PongMessageSchema, SubscribeActionSchema,
} from '../../shared/protocol/index.ts';
import { ROOT } from '../support/processes.ts';

const committed = readFileSync(`${ROOT}/docs/asyncapi.yaml`, 'utf8');

describe('AsyncAPI document', () => {
  it('is up to date with the schemas (run `npm run asyncapi` and commit docs/asyncapi.yaml)', () => {
    expect(committed).toBe(renderAsyncApiYaml());
  });

  it('is valid AsyncAPI 3 for the maintained parser, without errors or warnings', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const problems = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    expect(problems.map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');

    const channels = Object.fromEntries(document!.channels().all().map((c) => [c.address(), c.messages().all().map((m) => m.id()).sort()]));
    const actions = ['configure', 'error', 'filter', 'ping', 'pong', 'subscribe'];
    expect(channels).toEqual({
      '/ws/logs': [...actions, 'log'].sort(),
      '/ws/metrics': [...actions, 'metrics'].sort(),
      '/ws/combined': [...actions, 'alert', 'log', 'metrics'].sort(),
    });
    const sends = document!.operations().all().filter((o) => o.action() === 'send').map((o) => [o.channels().all()[0]!.address(), o.messages().all().map((m) => m.id())]);
    expect(sends).toEqual([['/ws/logs', ['log', 'error']], ['/ws/metrics', ['metrics', 'error']], ['/ws/combined', ['log', 'metrics', 'alert', 'error']]]);
    const ping = document!.operations().get('combinedPing')!;
    expect(ping.action()).toBe('receive');
    expect(ping.reply()!.messages().all().map((m) => m.id())).toEqual(['pong']);
    const schemes = document!.servers().get('gateway')!.security().flatMap((requirements) => requirements.all().map((r) => r.scheme()));
    expect(schemes.map((s) => [s.type(), s.in(), s.name()])).toEqual([['httpApiKey', 'query', 'api_key'], ['httpApiKey', 'header', 'Sec-WebSocket-Protocol']]);
  });

  it('names every error code and close code of the tables', () => {
    const description = String((buildAsyncApiDocument().info as { description: string }).description);
    for (const code of Object.values(ErrorCode)) expect(description).toContain(`| \`${code}\` |`);
    for (const { code, name, reason } of CLOSE_CODES) {
      expect(description).toContain(`| ${code} | \`${name}\` |`);
      expect(description).toContain(reason);
    }
  });

  it('describes payloads generated from the zod schemas, and every example is a valid message', () => {
    const doc = parse(committed) as {
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }>; messages: Record<string, { examples: Array<{ payload: unknown }> }> };
    };
    expect(doc.components.schemas.LogMessage!.properties.level!.enum).toEqual([...LEVELS]);
    const schemaOf: Record<string, z.ZodType> = {
      log: LogMessageSchema, alert: AlertMessageSchema, metrics: MetricsMessageSchema, pong: PongMessageSchema, error: ErrorMessageSchema,
      subscribe: SubscribeActionSchema, filter: FilterActionSchema, configure: ConfigureActionSchema, ping: PingActionSchema,
    };
    expect(Object.keys(doc.components.messages).sort()).toEqual(Object.keys(schemaOf).sort());
    for (const [name, message] of Object.entries(doc.components.messages)) {
      expect(message.examples.length, name).toBeGreaterThan(0);
      for (const example of message.examples) expect(schemaOf[name]!.safeParse(example.payload).error, `${name} example`).toBeUndefined();
    }
  });
});
