// pino logging. API keys never reach a log line: known fields are redacted, and any string
// that carries `api_key=…` (URLs, messages) is scrubbed by redactSecrets before logging.
import { pino, type Logger } from 'pino';

export type { Logger };

const API_KEY_IN_TEXT = /(api_key=)[^&\s"',]*/gi;

export function redactSecrets(text: string): string {
  return text.replace(API_KEY_IN_TEXT, '$1[REDACTED]');
}

export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['apiKey', 'api_key', 'key', 'password', '*.apiKey', '*.api_key', '*.password', 'headers.authorization', 'headers["sec-websocket-protocol"]'],
      censor: '[REDACTED]',
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          if (typeof a === 'string') args[i] = redactSecrets(a);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  });
}
