// Loads uWebSockets.js and tells whether its native binary is what runs. The package we depend on
// silently falls back to a slow pure-JS server when the binary fails to load; the gateway refuses
// to start on that fallback unless ALLOW_UWS_FALLBACK is set.
import { createRequire } from 'node:module';
import type * as UWS from 'uWebSockets.js';

const require = createRequire(import.meta.url);
export const uWS = require('uWebSockets.js') as typeof UWS;

export type UwsRuntime = 'native' | 'fallback';

/** Native when a `uws_*.node` addon is loaded and exports what only the native build has. */
export const uwsRuntime: UwsRuntime =
  Object.keys(require.cache).some((path) => /uws_[^/\\]+\.node$/.test(path)) && typeof (uWS as { getParts?: unknown }).getParts === 'function'
    ? 'native'
    : 'fallback';

/** uWS.js v20.30 accepts (host, port, options, cb) at run time; its typings lack that overload. */
export function listenExclusive(app: UWS.TemplatedApp, host: string, port: number): Promise<UWS.us_listen_socket> {
  return new Promise((resolve, reject) => {
    const listen = app.listen as unknown as (h: string, p: number, o: number, cb: (s: UWS.us_listen_socket | false) => void) => void;
    listen.call(app, host, port, 1 /* LIBUS_LISTEN_EXCLUSIVE_PORT */, (socket) => {
      if (socket) resolve(socket);
      else reject(new Error(`cannot listen on ${host}:${port} (port in use or not permitted)`));
    });
  });
}
