// uWebSockets.js as the gateway uses it: the native build that fits this Node and glibc
// (uws-loader.ts), or, when none does, the slow pure-JS fallback, which the gateway refuses to
// start on unless ALLOW_UWS_FALLBACK is set (requireNativeUws), saying why and what is supported.
import { createServer } from 'node:net';
import type * as UWS from 'uWebSockets.js';
import type { Logger } from '../shared/logger.ts';
import { loadUws, type UwsRuntime } from './uws-loader.ts';

export type { UwsRuntime };

const loaded = loadUws();
export const uWS: typeof UWS = loaded.uWS;
export const uwsRuntime: UwsRuntime = loaded.runtime;
/** The native build in use (for logs), or undefined on the fallback. */
export const uwsBuild: string | undefined = loaded.build;
/** For build info: the native build in use, or `fallback`. */
export const uwsVersion: string = loaded.build ?? 'fallback';

/**
 * Stop (throw the matrix message) unless a native build runs; with `allowFallback`, start on the
 * fallback but say so loudly: a gateway many times slower must never go unnoticed.
 */
export function requireNativeUws(allowFallback: boolean, logger: Logger): void {
  if (loaded.runtime === 'native') return;
  if (!allowFallback) throw new UwsUnavailableError(`${loaded.problem}\nALLOW_UWS_FALLBACK=1 starts on the slow pure-JS fallback anyway.`);
  logger.warn({ problem: loaded.problem }, 'ALLOW_UWS_FALLBACK: running the slow pure-JS uWebSockets.js fallback');
}

export class UwsUnavailableError extends Error {
  override readonly name = 'UwsUnavailableError';
}

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
