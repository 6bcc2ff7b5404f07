// The README's Security section cannot drift from the code: every error code is in its table, the
// close-code table (generated: test/unit/docs.test.ts) is in it too, and every limit's row shows the
// default the config schema really has.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GatewayConfigSchema } from '../../shared/config.ts';
import { CLOSE_CODES, ErrorCode } from '../../shared/protocol/index.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const doc = readme.slice(readme.indexOf('\n## Security'), readme.indexOf('\n## ', readme.indexOf('\n## Security') + 1));
const rows = doc.split('\n').filter((line) => line.startsWith('| '));

const LIMITS = [
  'MAX_PAYLOAD_BYTES', 'RATE_LIMIT_PER_SEC', 'RATE_LIMIT_BURST', 'RATE_LIMIT_MAX_VIOLATIONS', 'MAX_CONNECTIONS_PER_KEY',
  'MAX_CONNECTIONS_PER_IP', 'AUTH_FAILURES_PER_IP', 'AUTH_FAILURE_WINDOW_MS', 'AUTH_BLOCK_MS', 'ALLOWED_ORIGINS', 'TRUST_PROXY',
  'FILTER_MAX_PATTERN_LENGTH', 'FILTER_MAX_SOURCES', 'FILTER_MAX_SITES', 'MAX_BACKPRESSURE_BYTES', 'IDLE_TIMEOUT_MS',
  'KEY_CACHE_TTL_MS', 'KEY_RECHECK_INTERVAL_MS',
] as const;

describe('README: Security', () => {
  it('lists every error code and every close code', () => {
    for (const code of Object.values(ErrorCode)) expect(rows.some((r) => r.includes(`\`${code}\``)), code).toBe(true);
    for (const { code, name } of CLOSE_CODES) expect(rows.some((r) => r.startsWith(`| ${code} | \`${name}\` |`)), String(code)).toBe(true);
  });

  it('states each limit with its real default', () => {
    const defaults = GatewayConfigSchema.parse({});
    for (const name of LIMITS) {
      const value = defaults[name];
      const shown = Array.isArray(value) ? value.join(',') : String(value);
      expect(rows.find((r) => r.startsWith(`| \`${name}\` |`)), name).toContain(`| \`${shown}\` |`);
    }
  });
});
