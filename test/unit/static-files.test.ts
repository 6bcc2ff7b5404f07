// The gateway's static files (the dashboard at `/`) over real HTTP on a real uWS app: types,
// ETag revalidation, gzip, cache headers, HEAD, nothing outside the files loaded at start (no
// traversal, no dotfiles, no symlinks), and the "not built" page when there is no build.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TemplatedApp, us_listen_socket } from 'uWebSockets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStaticFiles, registerStaticFiles } from '../../gateway/static-files.ts';
import { uWS } from '../../gateway/uws.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes on the wire exactly as given (fetch would resolve `..`). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function serve(dir: string): Promise<{ port: number; close(): void }> {
  const app: TemplatedApp = uWS.App();
  registerStaticFiles(app, loadStaticFiles(dir));
  app.any('/*', (res) => void res.writeStatus('404 Not Found').end('not found'));
  const socket = await new Promise<us_listen_socket>((resolve, reject) => app.listen('127.0.0.1', 0, (s) => (s ? resolve(s) : reject(new Error('listen failed')))));
  return { port: uWS.us_socket_local_port(socket), close: () => uWS.us_listen_socket_close(socket) };
}

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'licmon-static-'));
  const dist = join(root, 'dist');
  const script = `console.log(${JSON.stringify('dashboard '.repeat(200))});`;
  let server: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>dash</title><script type="module" src="./assets/index-Ab12_x.js"></script>');
    writeFileSync(join(dist, 'assets', 'index-Ab12_x.js'), script);
    writeFileSync(join(dist, '.env'), 'SECRET=1');
    writeFileSync(join(root, 'secret.txt'), 'outside the build');
    symlinkSync(join(root, 'secret.txt'), join(dist, 'linked.txt'));
    server = await serve(dist);
  });

  afterAll(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html at / with its type, a CSP and an ETag that revalidates', async () => {
    const page = await get(server.port, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body.toString()).toContain('<title>dash</title>');
    const etag = page.headers.etag as string;
    expect(etag).toMatch(/^"[\w-]+"$/);

    const again = await get(server.port, '/index.html', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect((await get(server.port, '/', { 'if-none-match': '"something-else"' })).status).toBe(200);
  });

  it('caches hashed assets for good and gzips them for clients that accept it', async () => {
    const plain = await get(server.port, '/assets/index-Ab12_x.js');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);

    const zipped = await get(server.port, '/assets/index-Ab12_x.js', { 'accept-encoding': 'br, gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('accept-encoding');
    expect(zipped.body.length).toBeLessThan(script.length / 4);

    const head = await get(server.port, '/assets/index-Ab12_x.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(script.length);
    expect(head.body.length).toBe(0);
  });

  it('answers nothing but the files found at start: no traversal, dotfiles or symlinks', async () => {
    for (const path of ['/../secret.txt', '/assets/../../secret.txt', '/assets/%2e%2e/index.html', '/%2e%2e/secret.txt', '/.env', '/linked.txt', '/assets/', '/index.html/', '/assets/index-Ab12_x.js/..']) {
      const reply = await get(server.port, path);
      expect({ path, status: reply.status }).toEqual({ path, status: 404 });
      expect(reply.body.toString()).not.toContain('outside the build');
    }
  });

  it('without a build, / says how to make one', async () => {
    const empty = await serve(join(root, 'missing'));
    try {
      const page = await get(empty.port, '/');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.body.toString()).toContain('npm run build:dashboard');
      expect((await get(empty.port, '/index.html')).status).toBe(404);
    } finally {
      empty.close();
    }
  });
});
