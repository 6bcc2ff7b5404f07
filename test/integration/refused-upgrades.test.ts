// Refused upgrades on record, from a real gateway: every 401/403/429 logged with its address,
// endpoint, reason and key fingerprint (never the key), at most 5 lines per address per minute and
// a "N more suppressed" line for the rest; and the fail2ban filter in deploy/fail2ban/ finds each of
// those lines, with the right address and time, in the log the gateway really wrote.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomPrefix, ROOT, startGateway, type RunningGateway } from '../support/processes.ts';
import { TestClient } from '../support/ws-client.ts';

const run = promisify(execFile);
const GOOD_KEY = `good-${randomPrefix()}`;
const WRONG_KEY = `wrong-${randomPrefix()}`;
const PROTOCOL_KEY = `protocol-${randomPrefix()}`;
const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

describe('refused upgrades are logged', () => {
  const redisUrl = inject('redisUrl');
  let gateway: RunningGateway;
  let lines: Array<Record<string, unknown>>;
  let text: string;
  const dir = mkdtempSync(join(tmpdir(), 'licmon-refusals-'));

  /** Connect as `address` (X-Forwarded-For, trusted here) and return the refusal's HTTP status. */
  async function refusedStatus(address: string, query: string, options: { protocols?: string[]; origin?: string } = {}): Promise<number> {
    const headers: Record<string, string> = { 'x-forwarded-for': address, ...(options.origin ? { origin: options.origin } : {}) };
    const error = await TestClient.connect(`${gateway.wsUrl}/ws/logs${query}`, options.protocols, headers).then(
      (client) => { client.ws.terminate(); throw new Error(`${address} was let in`); },
      (err: { status?: number }) => err,
    );
    return error.status ?? 0;
  }

  beforeAll(async () => {
    gateway = await startGateway({
      REDIS_URL: redisUrl, REDIS_KEY_PREFIX: randomPrefix(), API_KEYS: GOOD_KEY, TRUST_PROXY: 'true',
      AUTH_FAILURES_PER_IP: '3', ALLOWED_ORIGINS: 'http://dashboard.example',
    });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push(await refusedStatus('203.0.113.7', `?api_key=${WRONG_KEY}`));
    // The first three are bad keys; then the address is throttled before its key is looked at.
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429, 429]);
    expect(await refusedStatus('198.51.100.9', `?api_key=${GOOD_KEY}`, { origin: 'http://evil.example' })).toBe(403);
    expect(await refusedStatus('198.51.100.10', '', { protocols: ['api_key', PROTOCOL_KEY] })).toBe(401);
    await gateway.waitForLog((l) => l.msg === 'upgrade refused' && l.address === '198.51.100.10');
    // Stopping reports what is still suppressed.
    gateway.signal('SIGINT');
    expect(await gateway.exited).toBe(0);
    lines = gateway.output.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as Record<string, unknown>] : []));
    text = gateway.output.join('\n');
  }, 120_000);
  afterAll(async () => {
    await gateway?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const refused = (address: string) => lines.filter((l) => l.msg === 'upgrade refused' && l.address === address);

  it('logs each refusal: status, address, endpoint, reason and the key fingerprint', () => {
    expect(refused('203.0.113.7').map((l) => [l.status, l.endpoint, l.keyFingerprint])).toEqual([
      [401, 'logs', fingerprint(WRONG_KEY)], [401, 'logs', fingerprint(WRONG_KEY)], [401, 'logs', fingerprint(WRONG_KEY)],
      [429, 'logs', fingerprint(WRONG_KEY)], [429, 'logs', fingerprint(WRONG_KEY)],
    ]);
    expect(refused('203.0.113.7')[0]).toMatchObject({ level: 40, reason: 'missing or invalid API key' });
    expect(refused('203.0.113.7')[3]!.reason).toMatch(/^too many failed authentications from this address; retry in \d+ s$/);
    expect(refused('198.51.100.9')).toEqual([expect.objectContaining({ status: 403, reason: 'this Origin is not allowed to connect', keyFingerprint: fingerprint(GOOD_KEY) })]);
    expect(refused('198.51.100.10')).toEqual([expect.objectContaining({ status: 401, keyFingerprint: fingerprint(PROTOCOL_KEY) })]);
    for (const line of lines.filter((l) => l.msg === 'upgrade refused')) expect(typeof line.time).toBe('number');
  });

  it('never logs a key', () => {
    for (const key of [GOOD_KEY, WRONG_KEY, PROTOCOL_KEY]) expect(text).not.toContain(key);
  });

  it('sums up what it did not log, per address', () => {
    expect(lines.filter((l) => l.suppressed !== undefined)).toEqual([
      expect.objectContaining({ address: '203.0.113.7', suppressed: 2, msg: expect.stringMatching(/^upgrade refusals suppressed: 2 more from this address in \d+ s$/) }),
    ]);
  });

  it('deploy/fail2ban\'s filter matches every refusal line, with its address and time', async (ctx) => {
    const hasFail2ban = await run('fail2ban-regex', ['--version']).then(() => true, () => false);
    if (!hasFail2ban) return ctx.skip('fail2ban is not installed (Debian package fail2ban; .ci/run installs it)');
    const log = join(dir, 'gateway.log');
    writeFileSync(log, `${gateway.output.join('\n')}\n`);
    const filter = join(ROOT, 'deploy/fail2ban/filter.d/licmon-gateway.conf');
    const { stdout } = await run('fail2ban-regex', [log, filter]);
    const expected = lines.filter((l) => l.msg === 'upgrade refused' || l.suppressed !== undefined);
    expect(expected).toHaveLength(8);
    expect(stdout).toMatch(new RegExp(`Lines: ${gateway.output.length} lines, 0 ignored, ${expected.length} matched, ${gateway.output.length - expected.length} missed`));
    // One row per match: [address, epoch seconds, …], in log order.
    const rows = (await run('fail2ban-regex', ['-o', 'row', log, filter])).stdout.trim().split('\n');
    const parsed = rows.map((row) => /^\['([^']+)',\s+([\d.]+),/.exec(row)!).map(([, address, seconds]) => [address, Math.round(Number(seconds) * 1000)]);
    expect(parsed).toEqual(expected.map((l) => [l.address, l.time]));
  });

  it('deploy/fail2ban\'s jail loads, with that filter, into fail2ban\'s own configuration', async (ctx) => {
    const hasFail2ban = await run('fail2ban-client', ['--version']).then(() => true, () => false);
    if (!hasFail2ban) return ctx.skip('fail2ban is not installed (Debian package fail2ban; .ci/run installs it)');
    // The packaged configuration, with only our jail enabled, reading the gateway's real log.
    const conf = join(dir, 'fail2ban');
    cpSync('/etc/fail2ban', conf, { recursive: true });
    for (const file of readdirSync(join(conf, 'jail.d'))) rmSync(join(conf, 'jail.d', file));
    const log = join(dir, 'jail.log');
    writeFileSync(log, `${gateway.output.join('\n')}\n`);
    cpSync(join(ROOT, 'deploy/fail2ban/filter.d/licmon-gateway.conf'), join(conf, 'filter.d/licmon-gateway.conf'));
    const jail = readFileSync(join(ROOT, 'deploy/fail2ban/jail.d/licmon-gateway.local'), 'utf8');
    writeFileSync(join(conf, 'jail.d/licmon-gateway.local'), jail.replace(/^logpath\s*=.*$/m, `logpath  = ${log}`));
    const test = await run('fail2ban-client', ['-c', conf, '--test']);
    expect(`${test.stdout}${test.stderr}`).toContain('OK: configuration test is successful');
    const { stdout: dump } = await run('fail2ban-client', ['-c', conf, '-d']);
    expect(dump).toContain("['add', 'licmon-gateway', 'auto']");
    expect(dump).toContain("['set', 'licmon-gateway', 'maxretry', 5]");
    expect(dump).toContain("['set', 'licmon-gateway', 'bantime', '1h']");
  });
});
