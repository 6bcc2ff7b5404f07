// The farm configuration (FARM_CONFIG): sites, their license servers, alert rules and
// notifications. This file is the schema; load-farm-config.ts reads a file into it and names the
// line of every mistake. The parsed result is normalized: servers in one list, each with its
// site and every default applied, so the rest of the collector never looks at defaults again.
import { z } from 'zod';
import { SiteNameSchema } from '../../shared/protocol/index.ts';
import { assertTimeZone } from '../parsers/zoned-time.ts';
import type { UserPrivacy } from '../privacy/user-privacy.ts';
import { AlertRulesSchema, type AlertRules } from './alert-rules-config.ts';
import { duration } from './duration.ts';
import { NotificationsSchema, type Notifications } from './notifications-config.ts';

/** Server ids name job schedulers and metrics sources: no `:` (reserved for the collector's own jobs). */
export const SERVER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const PORT_AT_HOST_RE = /^(\d{1,5})@([A-Za-z0-9][A-Za-z0-9._-]*)$/;

const timeZone = z.string().refine(
  (zone) => {
    try {
      assertTimeZone(zone);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'must be an IANA time zone, e.g. Europe/Berlin or UTC' },
);

/** `port@host`, or a FlexLM triad `port@a,port@b,port@c`. */
const address = z.string().transform((text, ctx) => {
  const hosts = text.split(',').map((part) => PORT_AT_HOST_RE.exec(part.trim()));
  if (hosts.some((m) => !m || Number(m[1]) > 65535) || (hosts.length !== 1 && hosts.length !== 3)) {
    ctx.addIssue({ code: 'custom', message: 'must be port@host, or three of them comma-separated for a FlexLM triad (e.g. 27000@lic-01)' });
    return z.NEVER;
  }
  return { text: text.split(',').map((p) => p.trim()).join(','), hosts: hosts.map((m) => ({ port: Number(m![1]), host: m![2]! })) };
});

/** Holders (and queued requests) published per feature: a bound on a metrics message's size. */
export const DEFAULT_HOLDERS_PER_FEATURE = 200;
const holdersBound = z.number().int().min(0).max(100_000);

/** The shortest `privacy.key` taken: the key is all that keeps a pseudonym from being matched against guessed names. */
export const PRIVACY_KEY_MIN = 16;
const privacyKey = z.string().min(PRIVACY_KEY_MIN, `must be at least ${PRIVACY_KEY_MIN} characters`);

const PrivacySchema = z.strictObject({
  /** What the collector publishes for a user name (collector/privacy/user-privacy.ts). */
  users: z.enum(['plain', 'hashed', 'hidden']).default('plain'),
  /** The key of `hashed` pseudonyms; default LICMON_PRIVACY_KEY. */
  key: privacyKey.optional(),
});

const ServerSchema = z.strictObject({
  id: z.string().regex(SERVER_ID_RE, 'must be 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  kind: z.enum(['flexlm', 'rlm']),
  address,
  /** The lmutil (flexlm) or rlmutil (rlm) executable; default from `defaults`. */
  command: z.string().min(1).optional(),
  /** The lmgrd / vendor-daemon debug log to tail, on `debugLogHost`. */
  debugLog: z.string().min(1).optional(),
  /** The machine that has the debug log (default: the address's first host). */
  debugLogHost: z.string().min(1).optional(),
  timezone: timeZone.optional(),
  pollInterval: duration(100, 86_400_000).optional(),
  timeout: duration(100, 3_600_000).optional(),
  holdersPerFeature: holdersBound.optional(),
});

const SiteSchema = z.strictObject({
  timezone: timeZone.optional(),
  servers: z.array(ServerSchema).default([]),
});

const DefaultsSchema = z.strictObject({
  pollInterval: duration(100, 86_400_000).default(60_000),
  /** A status command still running after this long (or after its poll interval) is killed. */
  timeout: duration(100, 3_600_000).default(30_000),
  /** How often `lmstat -i` (the license file's expiry dates) is read again per server. */
  expiryRefresh: duration(1000, 7 * 86_400_000).default(3_600_000),
  lmutil: z.string().min(1).default('lmutil'),
  rlmutil: z.string().min(1).default('rlmutil'),
  timezone: timeZone.optional(),
  /** Holders and queued requests published per feature; the rest are counted (`holdersOmitted`, `queueOmitted`). */
  holdersPerFeature: holdersBound.default(DEFAULT_HOLDERS_PER_FEATURE),
});

export const FarmFileSchema = z
  .strictObject({
    defaults: DefaultsSchema.prefault({}),
    /** How often the per-site and farm roll-ups (and the farm-wide and stale-data alerts) are computed. */
    rollupInterval: duration(100, 86_400_000).default(15_000),
    sites: z.record(SiteNameSchema, SiteSchema),
    alerts: AlertRulesSchema.prefault({}),
    notifications: NotificationsSchema.prefault({}),
    privacy: PrivacySchema.prefault({}),
  })
  .superRefine((farm, ctx) => {
    const seen = new Map<string, string>();
    for (const [site, { servers }] of Object.entries(farm.sites)) {
      servers.forEach((server, i) => {
        const other = seen.get(server.id);
        if (other !== undefined) {
          ctx.addIssue({ code: 'custom', path: ['sites', site, 'servers', i, 'id'], message: `duplicate server id "${server.id}" (also in site ${other})` });
        }
        seen.set(server.id, site);
      });
    }
  });

/** A status command may take at most this share of its poll interval: the poll must end before the next is due. */
const POLL_TIME_SHARE = 0.9;

export interface LicenseServerConfig {
  readonly id: string;
  readonly site: string;
  readonly kind: 'flexlm' | 'rlm';
  /** As lmutil/rlmutil take it after `-c`. */
  readonly address: string;
  readonly hosts: ReadonlyArray<{ port: number; host: string }>;
  readonly command: string;
  readonly debugLog?: string;
  readonly debugLogHost?: string;
  /** The server clock's IANA zone; undefined: the collector's. */
  readonly timeZone?: string;
  readonly pollIntervalMs: number;
  /** `timeout`, but never more than 90% of the poll interval. */
  readonly timeoutMs: number;
  readonly expiryRefreshMs: number;
  /** Holders and queued requests published per feature. */
  readonly holdersPerFeature: number;
  /** The farm's `privacy.users`, carried by each server so every path that publishes a user has it. */
  readonly privacy: UserPrivacy;
}

export interface FarmConfig {
  readonly sites: readonly string[];
  readonly servers: readonly LicenseServerConfig[];
  readonly rollupIntervalMs: number;
  readonly alerts: AlertRules;
  readonly notifications: Notifications;
  readonly privacy: UserPrivacy;
}

/** Why `privacy` cannot be used as configured (a hashed farm without a usable key), or undefined. */
export function privacyProblem(privacy: z.infer<typeof PrivacySchema>, envKey: string | undefined): string | undefined {
  if (privacy.users !== 'hashed' || privacy.key !== undefined) return undefined;
  if (envKey === undefined || envKey === '') return 'hashed needs a key: set privacy.key (e.g. privacy.key: ${LICMON_PRIVACY_KEY}) or the environment variable LICMON_PRIVACY_KEY';
  if (envKey.length < PRIVACY_KEY_MIN) return `LICMON_PRIVACY_KEY must be at least ${PRIVACY_KEY_MIN} characters`;
  return undefined;
}

/** `envKey`: LICMON_PRIVACY_KEY, the key of a hashed farm whose file names none (checked by privacyProblem first). */
export function normalizeFarm(file: z.infer<typeof FarmFileSchema>, envKey?: string): FarmConfig {
  const { defaults } = file;
  const privacy: UserPrivacy = file.privacy.users === 'hashed' ? { users: 'hashed', key: file.privacy.key ?? envKey ?? '' } : { users: file.privacy.users };
  const servers = Object.entries(file.sites).flatMap(([site, siteConfig]) =>
    siteConfig.servers.map((s): LicenseServerConfig => {
      const pollIntervalMs = s.pollInterval ?? defaults.pollInterval;
      const zone = s.timezone ?? siteConfig.timezone ?? defaults.timezone;
      return {
        id: s.id,
        site,
        kind: s.kind,
        address: s.address.text,
        hosts: s.address.hosts,
        command: s.command ?? (s.kind === 'flexlm' ? defaults.lmutil : defaults.rlmutil),
        ...(s.debugLog !== undefined && { debugLog: s.debugLog, debugLogHost: s.debugLogHost ?? s.address.hosts[0]!.host }),
        ...(zone !== undefined && { timeZone: zone }),
        pollIntervalMs,
        timeoutMs: Math.min(s.timeout ?? defaults.timeout, Math.floor(pollIntervalMs * POLL_TIME_SHARE)),
        expiryRefreshMs: defaults.expiryRefresh,
        holdersPerFeature: s.holdersPerFeature ?? defaults.holdersPerFeature,
        privacy,
      };
    }),
  );
  return {
    sites: Object.keys(file.sites),
    servers,
    rollupIntervalMs: file.rollupInterval,
    alerts: file.alerts,
    notifications: file.notifications,
    privacy,
  };
}
