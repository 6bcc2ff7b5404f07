// A notification channel: somewhere alerts go besides the stream (a webhook, an e-mail address
// list), with the selection of alerts it wants. Built from the farm's `notifications:` section.
import { LEVELS, type AlertMessage, type Level } from '../../shared/protocol/index.ts';
import type { Notifications } from '../farm/notifications-config.ts';
import { emailChannel } from './email.ts';
import { webhookChannel } from './webhook.ts';

export interface Channel {
  /** Unique among the farm's channels; queued jobs name their channel by it. */
  readonly name: string;
  accepts(alert: AlertMessage): boolean;
  /** Resolves once the receiver took the alert; rejects to be retried. */
  deliver(alert: AlertMessage): Promise<void>;
  close?(): void;
}

export interface Selection {
  readonly minLevel: Level;
  readonly rules?: readonly string[] | undefined;
  readonly sites?: readonly string[] | undefined;
  readonly resolved: boolean;
}

export function selects(selection: Selection, alert: AlertMessage): boolean {
  if (alert.status === 'resolved' && !selection.resolved) return false;
  if (selection.rules && !selection.rules.includes(alert.rule)) return false;
  if (selection.sites && (alert.site === undefined || !selection.sites.includes(alert.site))) return false;
  // A resolved alert is `info`: judge it by the severity it fired with, so whoever heard of the
  // problem hears that it is over.
  const firedLevel = alert.status === 'resolved' ? alert.metadata?.firedLevel : alert.level;
  const level = LEVELS.includes(firedLevel as Level) ? (firedLevel as Level) : alert.level;
  return LEVELS.indexOf(level) >= LEVELS.indexOf(selection.minLevel);
}

export function buildChannels(config: Notifications): Channel[] {
  const channels: Channel[] = [];
  const names = new Set<string>();
  const unique = (name: string) => {
    let candidate = name;
    for (let i = 2; names.has(candidate); i++) candidate = `${name}#${i}`;
    names.add(candidate);
    return candidate;
  };
  for (const webhook of config.webhooks) channels.push(webhookChannel(unique(webhook.name ?? `webhook:${new URL(webhook.url).host}`), webhook));
  if (config.email) channels.push(emailChannel(unique('email'), config.email));
  return channels;
}
