// The `notifications:` section of the farm configuration: where alerts go besides the stream —
// webhooks (generic JSON or Slack-compatible) and e-mail over SMTP — and how hard to retry.
import { z } from 'zod';
import { LevelSchema, SiteNameSchema } from '../../shared/protocol/index.ts';
import { duration } from './duration.ts';

/** Which alerts a channel receives. */
const selection = {
  /** Least severe level sent (default warn). */
  minLevel: LevelSchema.default('warn'),
  /** Only these rules (default: every rule). */
  rules: z.array(z.string().min(1)).optional(),
  /** Only alerts of these sites (default: every site, and alerts without one). */
  sites: z.array(SiteNameSchema).optional(),
  /** Also send the `resolved` alert when a condition clears (default true). */
  resolved: z.boolean().default(true),
};

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

export const WebhookSchema = z.strictObject({
  /** A name for logs and the failed-jobs list (default: the URL's host). */
  name: z.string().min(1).optional(),
  url: httpUrl,
  /** `json`: the alert message as is; `slack`: a Slack incoming-webhook payload (`text` + blocks). */
  format: z.enum(['json', 'slack']).default('json'),
  headers: z.record(z.string(), z.string()).default({}),
  timeout: duration(100, 300_000).default(10_000),
  ...selection,
});

export const EmailSchema = z.strictObject({
  smtp: z.strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** TLS from the first byte (port 465). Otherwise STARTTLS is used when the server offers it. */
    secure: z.boolean().default(false),
    user: z.string().min(1).optional(),
    password: z.string().optional(),
    /** Accept a self-signed certificate (default: no). */
    allowSelfSigned: z.boolean().default(false),
    timeout: duration(100, 300_000).default(20_000),
  }),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1, 'name at least one recipient'),
  subjectPrefix: z.string().default('[licmon]'),
  ...selection,
  minLevel: LevelSchema.default('error'),
});

export const NotificationsSchema = z.strictObject({
  webhooks: z.array(WebhookSchema).default([]),
  email: EmailSchema.optional(),
  /** Delivery attempts per alert and channel, with exponential backoff from `backoff`. */
  retry: z
    .strictObject({
      attempts: z.number().int().min(1).max(100).default(12),
      backoff: duration(10, 3_600_000).default(5000),
    })
    .prefault({}),
});

export type Webhook = z.infer<typeof WebhookSchema>;
export type Email = z.infer<typeof EmailSchema>;
export type Notifications = z.infer<typeof NotificationsSchema>;
