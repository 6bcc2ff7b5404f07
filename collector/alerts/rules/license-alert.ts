// The common shape of the alerts rules raise about a license server.
import type { Level } from '../../../shared/protocol/index.ts';
import type { LicenseServerConfig } from '../../farm/farm-config.ts';
import type { AlertSpec } from '../alert-state.ts';

/** `source` of license alerts and logs, as in the spec's examples. */
export const LICENSE_SOURCE = 'license-server';

/** A server as rules see it; the site is optional only for `licmon parse` without --site. */
export type RuleServer = Pick<LicenseServerConfig, 'id' | 'address' | 'hosts'> & { readonly site?: string | undefined };

export function serverAlert(
  server: RuleServer,
  fields: { timestamp: string; rule: string; key: string; level: Level; message: string; metadata?: Record<string, unknown>; source?: string },
): AlertSpec {
  return {
    timestamp: fields.timestamp,
    level: fields.level,
    message: fields.message,
    source: fields.source ?? LICENSE_SOURCE,
    site: server.site,
    rule: fields.rule,
    key: fields.key,
    metadata: { server: server.id, ...fields.metadata },
  };
}
