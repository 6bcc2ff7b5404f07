// The uWS app: plain (ws://, TLS terminated at the balancer) or TLS (wss://) when TLS_CERT and
// TLS_KEY name PEM files. uWS reads the files itself and says only "App construction failed" when
// it cannot use them, so they are checked here first, with errors that say which and why.
import { accessSync, constants } from 'node:fs';
import type { TemplatedApp } from 'uWebSockets.js';
import { ConfigError, type GatewayConfig } from '../shared/config.ts';
import { uWS } from './uws.ts';

export interface GatewayApp {
  readonly app: TemplatedApp;
  /** 'wss' when the gateway terminates TLS itself. */
  readonly scheme: 'ws' | 'wss';
}

type TlsConfig = Pick<GatewayConfig, 'TLS_CERT' | 'TLS_KEY' | 'TLS_KEY_PASSPHRASE'>;

export function createApp(config: TlsConfig): GatewayApp {
  const { TLS_CERT: cert, TLS_KEY: key, TLS_KEY_PASSPHRASE: passphrase } = config;
  if (!cert && !key) return { app: uWS.App(), scheme: 'ws' };
  if (!cert || !key) throw new ConfigError(`Invalid configuration:\n  ${cert ? 'TLS_KEY' : 'TLS_CERT'}=unset: TLS needs both TLS_CERT and TLS_KEY`);
  for (const [name, path] of [['TLS_CERT', cert], ['TLS_KEY', key]] as const) {
    try {
      accessSync(path, constants.R_OK);
    } catch {
      throw new ConfigError(`Invalid configuration:\n  ${name}=${JSON.stringify(path)}: the file cannot be read`);
    }
  }
  try {
    return { app: uWS.SSLApp({ cert_file_name: cert, key_file_name: key, ...(passphrase ? { passphrase } : {}) }), scheme: 'wss' };
  } catch {
    throw new ConfigError('Invalid configuration:\n  TLS_CERT, TLS_KEY: not a usable PEM certificate and private key (not PEM, not a pair, or TLS_KEY_PASSPHRASE wrong)');
  }
}
