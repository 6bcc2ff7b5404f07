// pino logging. API keys never reach a log line: known fields are redacted, and any string
// that carries `api_key=…` (URLs, messages) or a generated key (`lmk_…`) is scrubbed by
// redactSecrets before logging.
import { pino, type Logger } from 'pino';
import { GENERATED_KEY_IN_TEXT } from './auth/api-key.ts';

export type { Logger };

const API_KEY_IN_TEXT = /(api_key=)[^&\s"',]*/gi;

export function redactSecrets(text: string): string {
  return text.replace(API_KEY_IN_TEXT, '$1[REDACTED]').replace(GENERATED_KEY_IN_TEXT, 'lmk_[REDACTED]');
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
          else if (a && typeof a === 'object' && !Array.isArray(a)) args[i] = redactFields(a as Record<string, unknown>);
        }
        return method.apply(this, args as Parameters<typeof method>);
      },
    },
  });
}

/** Scrub the string fields of a log line's object (e.g. an error message quoting a URL). */
function redactFields(fields: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value !== 'string') continue;
    const clean = redactSecrets(value);
    if (clean !== value) (copy ??= { ...fields })[name] = clean;
  }
  return copy ?? fields;
}
