// Loads uWebSockets.js and tells whether its native binary is what runs. The package we depend on
// silently falls back to a slow pure-JS server when the binary fails to load; the gateway refuses
// to start on that fallback unless ALLOW_UWS_FALLBACK is set.
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import type * as UWS from 'uWebSockets.js';

const require = createRequire(import.meta.url);
export const uWS = require('uWebSockets.js') as typeof UWS;

/** The uWebSockets.js release (its package version without the repackager's suffix). */
export const uwsVersion: string = (require('uWebSockets.js/package.json') as { version: string }).version.replace(/-unofficial.*$/, '');

export type UwsRuntime = 'native' | 'fallback';

/** Native when a `uws_*.node` addon is loaded and exports what only the native build has. */
export const uwsRuntime: UwsRuntime =
  Object.keys(require.cache).some((path) => /uws_[^/\\]+\.node$/.test(path)) && typeof (uWS as { getParts?: unknown }).getParts === 'function'
    ? 'native'
    : 'fallback';

/**
 * Listen on host:port, failing if another process listens there. uWS listens with SO_REUSEPORT,
 * so a second gateway on a taken port would silently share its connections; its "exclusive"
 * option instead also refuses a port whose old connections are still in TIME_WAIT, which breaks
 * restarting on the same port. So: probe the port with a plain socket first (it fails only on a
 * live listener), then let uWS listen normally.
 */
export async function listenExclusive(app: UWS.TemplatedApp, host: string, port: number): Promise<UWS.us_listen_socket> {
  if (port !== 0) await assertPortFree(host, port);
  return new Promise((resolve, reject) => {
    app.listen(host, port, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`cannot listen on ${host}:${port} (not permitted?)`));
    });
  });
}

function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(err.code === 'EADDRINUSE' ? `cannot listen on ${host}:${port}: another process is listening there` : `cannot listen on ${host}:${port}: ${err.message}`)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
