// The record of refused upgrades: every refusal logged with its address, endpoint, reason and a key
// fingerprint (never the key), at most `perWindow` lines per address per window, the rest summed up
// in one "N more suppressed" line, and a bounded number of addresses tracked.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { keyFingerprint, RefusalLog, REFUSED_MSG, SUPPRESSED_MSG, type Refusal } from '../../gateway/limits/refusal-log.ts';
import { createLogger } from '../../shared/logger.ts';

function setup(policy = { perWindow: 3, windowMs: 60_000, maxAddresses: 100 }) {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const clock = { now: 1_000_000 };
  const log = new RefusalLog(createLogger('gateway', 'info', stream), policy, () => clock.now);
  return { lines, clock, log };
}

const refusal = (address: string, key = 'lmk_wrong'): Refusal => ({ status: 401, address, endpoint: 'logs', reason: 'missing or invalid API key', key });

describe('RefusalLog', () => {
  it('logs a refusal with time, address, endpoint, reason and the key fingerprint, never the key', () => {
    const { lines, log } = setup();
    log.record(refusal('203.0.113.7', 'a-secret-key'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 40, msg: REFUSED_MSG, status: 401, address: '203.0.113.7', endpoint: 'logs', reason: 'missing or invalid API key', keyFingerprint: createHash('sha256').update('a-secret-key').digest('hex').slice(0, 8) });
    expect(typeof lines[0]!.time).toBe('number');
    expect(JSON.stringify(lines[0])).not.toContain('a-secret-key');
  });

  it('logs no fingerprint when no key was offered', () => {
    const { lines, log } = setup();
    log.record({ ...refusal('203.0.113.7'), key: undefined });
    expect(lines[0]!.keyFingerprint).toBeNull();
    expect(keyFingerprint('')).toBeNull();
  });

  it('logs at most perWindow lines per address per window, then one summary of the rest', () => {
    const { lines, clock, log } = setup();
    for (let i = 0; i < 10; i++) log.record(refusal('203.0.113.7'));
    log.record(refusal('198.51.100.1'));
    expect(lines.filter((l) => l.msg === REFUSED_MSG && l.address === '203.0.113.7')).toHaveLength(3);
    expect(lines.filter((l) => l.address === '198.51.100.1')).toHaveLength(1);
    clock.now += 30_000;
    log.flush();
    expect(lines.some((l) => String(l.msg).startsWith(SUPPRESSED_MSG))).toBe(false);
    clock.now += 30_000;
    log.flush();
    const summaries = lines.filter((l) => String(l.msg).startsWith(SUPPRESSED_MSG));
    expect(summaries).toEqual([expect.objectContaining({ address: '203.0.113.7', suppressed: 7, seconds: 60, msg: `${SUPPRESSED_MSG}: 7 more from this address in 60 s` })]);
    expect(log.size).toBe(0);
  });

  it('starts a new window for an address whose window is over, summing up the old one first', () => {
    const { lines, clock, log } = setup();
    for (let i = 0; i < 5; i++) log.record(refusal('203.0.113.7'));
    clock.now += 61_000;
    log.record(refusal('203.0.113.7'));
    expect(lines.map((l) => l.suppressed ?? l.msg)).toEqual([REFUSED_MSG, REFUSED_MSG, REFUSED_MSG, 2, REFUSED_MSG]);
  });

  it('tracks a bounded number of addresses, reporting the least recently refused as it forgets it', () => {
    const { lines, log } = setup({ perWindow: 1, windowMs: 60_000, maxAddresses: 2 });
    log.record(refusal('10.0.0.1'));
    log.record(refusal('10.0.0.1'));
    log.record(refusal('10.0.0.2'));
    log.record(refusal('10.0.0.3'));
    expect(log.size).toBe(2);
    expect(lines.filter((l) => l.suppressed !== undefined)).toEqual([expect.objectContaining({ address: '10.0.0.1', suppressed: 1 })]);
  });

  it('reports what is still suppressed when closed', () => {
    const { lines, log } = setup({ perWindow: 1, windowMs: 60_000, maxAddresses: 100 });
    log.record(refusal('10.0.0.1'));
    log.record(refusal('10.0.0.1'));
    log.close();
    expect(lines.at(-1)).toMatchObject({ address: '10.0.0.1', suppressed: 1 });
    expect(log.size).toBe(0);
  });
});
