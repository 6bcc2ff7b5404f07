// @licmon/client ships the wire protocol as client/protocol.ts, generated from shared/protocol
// (`npm run client:protocol`): it must be exactly what the generator makes of today's schemas, and
// its codes the gateway's own.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as shipped from '../../client/protocol.ts';
import { CLIENT_PROTOCOL_PATH, renderClientProtocol } from '../../scripts/client-protocol.ts';
import { CLOSE_CODES, ErrorCode } from '../../shared/protocol/index.ts';

describe('client/protocol.ts', () => {
  it('is what `npm run client:protocol` generates from shared/protocol', () => {
    expect(readFileSync(CLIENT_PROTOCOL_PATH, 'utf8')).toBe(renderClientProtocol());
  });
  it('carries the gateway\'s error and close codes, and no import', () => {
    expect(shipped.ErrorCode).toEqual(ErrorCode);
    expect(shipped.CLOSE_CODES).toEqual(CLOSE_CODES);
    expect(readFileSync(CLIENT_PROTOCOL_PATH, 'utf8')).not.toMatch(/^import /m);
  });
  it('expands the schemas\' types into plain TypeScript (no zod)', () => {
    const code = readFileSync(CLIENT_PROTOCOL_PATH, 'utf8').replace(/^\s*(\/\/|\/?\*).*$/gm, '');
    expect(code).toMatch(/^export type LogMessage = \{$/m);
    expect(code).toMatch(/^export type Filter = \{$/m);
    expect(code).not.toMatch(/\bz\.|zod/);
  });
});
