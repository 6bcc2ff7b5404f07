// Health of a license server as one poll shows it: the server down (no host of its address
// answered), a vendor daemon / ISV server down, a FlexLM triad member down, a triad without
// quorum. Rules that need an answering server say nothing while it is down: what they watch is
// unknown then, and server_down already speaks for it.
import type { AlertRules } from '../../farm/alert-rules-config.ts';
import type { LicenseServerStatus } from '../../parsers/types.ts';
import { alertKey, reconcile, type Transition } from '../transitions.ts';
import { serverAlert, type RuleServer } from './license-alert.ts';

export const SERVER_DOWN = 'server_down';
export const VENDOR_DOWN = 'vendor_down';
export const TRIAD_MEMBER_DOWN = 'triad_member_down';
export const QUORUM_LOST = 'quorum_lost';

/** FlexLM serves licenses while two of a triad's three servers are up. */
const TRIAD_QUORUM = 2;

type Health = Pick<LicenseServerStatus, 'reachable' | 'error' | 'servers' | 'vendors'>;

export function serverDown(server: RuleServer, status: Health, config: AlertRules['serverDown'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled) return [];
  const key = alertKey(SERVER_DOWN, server.site, server.id);
  const holding = status.reachable
    ? []
    : [
        serverAlert(server, {
          timestamp,
          rule: SERVER_DOWN,
          key,
          level: config.level,
          message: `License server ${server.id} (${server.address}) is down${status.error ? `: ${status.error}` : ''}`,
          metadata: { address: server.address, error: status.error },
        }),
      ];
  return reconcile(SERVER_DOWN, firing, holding, () => ({ timestamp, message: `License server ${server.id} is back up` }));
}

export function vendorDown(server: RuleServer, status: Health, config: AlertRules['vendorDown'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled || !status.reachable) return [];
  const holding = status.vendors
    .filter((v) => v.status === 'down')
    .map((v) =>
      serverAlert(server, {
        timestamp,
        rule: VENDOR_DOWN,
        key: alertKey(VENDOR_DOWN, server.site, server.id, v.name),
        level: config.level,
        message: `Vendor daemon ${v.name} on ${server.id} is down${v.error ? `: ${v.error}` : ''}`,
        metadata: { vendor: v.name, error: v.error },
      }),
    );
  return reconcile(VENDOR_DOWN, firing, holding, (key) => ({ timestamp, message: `Vendor daemon ${key.split(':').slice(3).join(':')} on ${server.id} is back up` }));
}

export function triadMemberDown(server: RuleServer, status: Health, config: AlertRules['triadMemberDown'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled || !status.reachable || server.hosts.length !== 3) return [];
  const holding = server.hosts.flatMap(({ host, port }) => {
    const seen = stateOf(status, host);
    if (seen?.status !== 'down') return [];
    return [
      serverAlert(server, {
        timestamp,
        rule: TRIAD_MEMBER_DOWN,
        key: alertKey(TRIAD_MEMBER_DOWN, server.site, server.id, host),
        level: config.level,
        message: `Triad member ${host} of ${server.id} is down${seen.error ? `: ${seen.error}` : ''}; ${upCount(server, status)} of 3 up`,
        metadata: { host, port, error: seen.error },
      }),
    ];
  });
  return reconcile(TRIAD_MEMBER_DOWN, firing, holding, (key) => ({ timestamp, message: `Triad member ${key.split(':').slice(3).join(':')} of ${server.id} is back up` }));
}

export function quorumLost(server: RuleServer, status: Health, config: AlertRules['quorumLost'], timestamp: string, firing: ReadonlySet<string>): Transition[] {
  if (!config.enabled || !status.reachable || server.hosts.length !== 3) return [];
  const up = upCount(server, status);
  const key = alertKey(QUORUM_LOST, server.site, server.id);
  const holding =
    up < TRIAD_QUORUM
      ? [serverAlert(server, { timestamp, rule: QUORUM_LOST, key, level: config.level, message: `Triad ${server.id} lost quorum: ${up} of 3 servers up, no licenses served`, metadata: { up } })]
      : [];
  return reconcile(QUORUM_LOST, firing, holding, () => ({ timestamp, message: `Triad ${server.id} has quorum again: ${up} of 3 servers up`, metadata: { up } }));
}

function stateOf(status: Health, host: string) {
  return status.servers.find((s) => s.host.toLowerCase() === host.toLowerCase());
}

function upCount(server: RuleServer, status: Health): number {
  return server.hosts.filter(({ host }) => stateOf(status, host)?.status === 'up').length;
}
