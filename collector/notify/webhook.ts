// Webhook delivery: an HTTP POST of the alert, either as published (`json`) or as a Slack
// incoming-webhook payload (`slack`: a `text` fallback plus blocks). Any answer but 2xx, or no
// answer within the timeout, is a failure to be retried.
import type { AlertMessage } from '../../shared/protocol/index.ts';
import type { Webhook } from '../farm/notifications-config.ts';
import { selects, type Channel } from './channel.ts';

export function webhookChannel(name: string, config: Webhook): Channel {
  return {
    name,
    accepts: (alert) => selects(config, alert),
    async deliver(alert) {
      const body = JSON.stringify(config.format === 'slack' ? slackPayload(alert) : alert);
      const response = await fetch(config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'licmon-collector', ...config.headers },
        body,
        signal: AbortSignal.timeout(config.timeout),
      });
      // Drain the body so the connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status} ${response.statusText}`);
    },
  };
}

const ICONS: Record<string, string> = { critical: ':red_circle:', error: ':large_orange_circle:', warn: ':warning:', info: ':information_source:', debug: ':mag:' };

/** A Slack incoming-webhook message: one line of text (notifications, fallback) and a block layout. */
export function slackPayload(alert: AlertMessage): Record<string, unknown> {
  const icon = alert.status === 'resolved' ? ':white_check_mark:' : (ICONS[alert.level] ?? '');
  const state = alert.status === 'resolved' ? 'RESOLVED' : `FIRING ${alert.level.toUpperCase()}`;
  const where = [
    alert.site && `site *${alert.site}*`,
    typeof alert.metadata?.server === 'string' && `server *${alert.metadata.server}*`,
    typeof alert.metadata?.feature === 'string' && `feature *${alert.metadata.feature}*`,
    `rule \`${alert.rule}\``,
  ].filter(Boolean);
  return {
    text: `${icon} ${state}: ${alert.message}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${state}*\n${alert.message}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${where.join(' · ')} · ${alert.timestamp}` }] },
    ],
  };
}
