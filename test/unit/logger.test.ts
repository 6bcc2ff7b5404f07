// Log lines keep what an operator needs to debug an error (its type, stack and cause, through
// pino's err serializer) and never what they must not see (an API key quoted in a message).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/logger.ts';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('logs an error with its type, stack and cause', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    logger.error({ err: new TypeError('bad thing', { cause: new Error('root cause') }) }, 'it failed');
    const err = lines[0]!.err as { type: string; message: string; stack: string };
    expect(err.type).toBe('TypeError');
    // pino's serializer folds the causes into the message and the stack.
    expect(err.message).toBe('bad thing: root cause');
    expect(err.stack).toMatch(/^TypeError: bad thing\n\s+at .*logger\.test\.ts/);
    expect(err.stack).toMatch(/caused by: Error: root cause\n\s+at /);
  });

  it('scrubs API keys from an error message and stack', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    logger.warn({ err: new Error('GET /ws?api_key=s3cret-key failed; tried lmk_abcdefghijklmnopqrstuvwxyz0123456789') }, 'request failed');
    const text = JSON.stringify(lines[0]);
    expect(text).not.toContain('s3cret-key');
    expect(text).toContain('api_key=[REDACTED]');
    expect((lines[0]!.err as { stack: string }).stack).toContain('api_key=[REDACTED]');
  });

  it('leaves a non-Error err field as it is', () => {
    const { lines, stream } = capture();
    createLogger('test', 'info', stream).warn({ err: 'plain text' }, 'odd');
    expect(lines[0]!.err).toBe('plain text');
  });
});
