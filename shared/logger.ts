// pino logging. API keys never reach a log line: known fields are redacted, and any string
// that carries `api_key=…` (URLs, messages) or a generated key (`lmk_…`) is scrubbed by
// redactSecrets before logging. Errors are logged as `{ err }` (the Error itself, never
// `String(err)`): pino's err serializer keeps their type, stack and cause, scrubbed the same way.
import { pino, type DestinationStream, type Logger } from 'pino';
import { GENERATED_KEY_IN_TEXT } from './auth/api-key.ts';

export type { Logger };

const API_KEY_IN_TEXT = /(api_key=)[^&\s"',]*/gi;

export function redactSecrets(text: string): string {
  return text.replace(API_KEY_IN_TEXT, '$1[REDACTED]').replace(GENERATED_KEY_IN_TEXT, 'lmk_[REDACTED]');
}

/** `destination` defaults to stdout; tests pass a stream to read the lines back. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  return pino({
    name,
    level,
    serializers: { err: serializeError },
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
  }, destination);
}

/** pino's own err serializer (type, message, stack, cause, own fields), with secrets scrubbed. */
function serializeError(err: unknown): unknown {
  return redactDeep(pino.stdSerializers.err(err as Error));
}

function redactDeep(value: unknown): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (!value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(redactDeep);
  return Object.fromEntries(Object.entries(value).map(([name, field]) => [name, redactDeep(field)]));
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
