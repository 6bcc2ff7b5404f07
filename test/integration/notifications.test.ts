// Alert notifications through the BullMQ queue on real Redis, to local receivers that fail at
// first: a generic JSON webhook, a Slack-compatible one and an SMTP server. Every alert arrives
// exactly once after the retries; one that never gets through stays in the failed list; queuing
// never waits for a receiver.
import { once } from 'node:events';
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CollectorKeys } from '../../collector/collector-keys.ts';
import { NotificationsSchema } from '../../collector/farm/notifications-config.ts';
import { Notifier } from '../../collector/notify/notifier.ts';
import { createLogger } from '../../shared/logger.ts';
import type { AlertMessage } from '../../shared/protocol/index.ts';
import { randomPrefix } from '../support/processes.ts';
import { waitUntil } from '../support/wait-until.ts';

const redisUrl = inject('redisUrl');
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

const alert = (status: 'firing' | 'resolved', level: AlertMessage['level'] = 'critical'): AlertMessage => ({
  type: 'alert',
  timestamp: '2024-01-15T10:30:00.000Z',
  level: status === 'resolved' ? 'info' : level,
  message: status === 'firing' ? 'License server flexlm-berlin-01 (27000@lic-01) is down' : 'License server flexlm-berlin-01 is back up',
  source: 'license-server',
  site: 'berlin',
  rule: 'server_down',
  key: 'server_down:berlin:flexlm-berlin-01',
  status,
  metadata: { server: 'flexlm-berlin-01', ...(status === 'resolved' && { firedLevel: level }) },
});

/** An HTTP receiver that answers 500 to its first `failures` requests (or forever), then 200. */
async function receiver(failures: number) {
  const received: Array<{ path: string; body: unknown; ok: boolean }> = [];
  const server: HttpServer = createHttpServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const ok = received.length >= failures;
      received.push({ path: req.url ?? '', body: JSON.parse(body) as unknown, ok });
      res.writeHead(ok ? 200 : 500).end(ok ? 'ok' : 'try later');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

/** A minimal SMTP server: refuses the first `failures` messages with 451 (try again later), then takes them. */
async function smtpServer(failures: number) {
  const messages: Array<{ from: string; to: string[]; data: string }> = [];
  let attempts = 0;
  const server: NetServer = createNetServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 fake-smtp ESMTP ready');
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        if (inData) {
          if (line !== '.') {
            current.data += `${line.startsWith('..') ? line.slice(1) : line}\n`;
            continue;
          }
          inData = false;
          if (++attempts <= failures) reply('451 4.3.0 Temporary failure, try again later');
          else {
            messages.push(current);
            reply('250 2.0.0 Queued');
          }
          current = { from: '', to: [], data: '' };
          continue;
        }
        switch (line.slice(0, 4).toUpperCase()) {
          case 'EHLO':
          case 'HELO':
            reply('250-fake-smtp\r\n250 8BITMIME');
            break;
          case 'MAIL':
            current.from = line;
            reply('250 2.1.0 OK');
            break;
          case 'RCPT':
            current.to.push(line);
            reply('250 2.1.5 OK');
            break;
          case 'DATA':
            inData = true;
            reply('354 End data with <CR><LF>.<CR><LF>');
            break;
          case 'RSET':
            current = { from: '', to: [], data: '' };
            reply('250 2.0.0 OK');
            break;
          case 'QUIT':
            reply('221 2.0.0 Bye');
            socket.end();
            break;
          default:
            reply('250 OK');
        }
      }
    });
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as AddressInfo).port, messages, attempts: () => attempts };
}

/** Long header lines are folded onto indented continuation lines (RFC 5322): join them back. */
function unfold(message: string): string {
  return message.replace(/\n[ \t]+/g, ' ');
}

function notifier(): Notifier {
  const n = new Notifier({ redis: { url: redisUrl }, prefix: new CollectorKeys(randomPrefix()).queuePrefix(), logger: createLogger('test', 'silent') });
  closers.push(() => n.close());
  return n;
}

describe('alert notifications', () => {
  it('reach a JSON webhook, a Slack webhook and SMTP exactly once each, through failures, retried with backoff', async () => {
    const json = await receiver(2);
    const slack = await receiver(1);
    const smtp = await smtpServer(2);
    const n = notifier();
    n.configure(
      NotificationsSchema.parse({
        webhooks: [
          { name: 'ops', url: `${json.url}/hook`, format: 'json', minLevel: 'info' },
          { url: `${slack.url}/services/T0/B0/x`, format: 'slack', minLevel: 'error' },
        ],
        email: { smtp: { host: '127.0.0.1', port: smtp.port }, from: 'licmon@example.com', to: ['admins@example.com', 'oncall@example.com'], minLevel: 'critical' },
        retry: { attempts: 5, backoff: '100ms' },
      }),
    );
    expect(n.channelNames).toEqual(['ops', `webhook:${new URL(slack.url).host}`, 'email']);

    n.notify(alert('firing'));
    await waitUntil(() => json.received.some((r) => r.ok) && slack.received.some((r) => r.ok) && smtp.messages.length === 1, 'every channel to take the alert', 20_000);
    expect(json.received.map((r) => r.ok)).toEqual([false, false, true]);
    expect(json.received[2]).toEqual({ path: '/hook', body: alert('firing'), ok: true });
    expect(slack.received.map((r) => r.ok)).toEqual([false, true]);
    const payload = slack.received[1]!.body as { text: string; blocks: Array<{ type: string }> };
    expect(payload.text).toBe(':red_circle: FIRING CRITICAL: License server flexlm-berlin-01 (27000@lic-01) is down');
    expect(payload.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    expect(smtp.attempts()).toBe(3);
    const [mail] = smtp.messages;
    expect(mail!.from).toContain('licmon@example.com');
    expect(mail!.to.join(' ')).toMatch(/admins@example\.com.*oncall@example\.com/);
    expect(unfold(mail!.data)).toMatch(/^Subject: \[licmon\] CRITICAL: License server flexlm-berlin-01 \(27000@lic-01\) is down$/m);
    expect(mail!.data).toMatch(/^Rule\s+server_down$/m);

    // The all-clear goes where the alarm went (judged by the level it fired with); an info alert only to the JSON webhook.
    n.notify(alert('resolved'));
    n.notify({ ...alert('firing', 'info'), key: 'license_expiry:berlin:flexlm-berlin-01:Maya:90d', rule: 'license_expiry', message: 'Maya expires in 80 days' });
    await waitUntil(() => json.received.filter((r) => r.ok).length === 3 && slack.received.filter((r) => r.ok).length === 2 && smtp.messages.length === 2, 'the resolved alert on every channel', 20_000);
    expect(unfold(smtp.messages[1]!.data)).toMatch(/^Subject: \[licmon\] RESOLVED: License server flexlm-berlin-01 is back up$/m);
    expect(json.received.filter((r) => r.ok).map((r) => (r.body as AlertMessage).rule).sort()).toEqual(['license_expiry', 'server_down', 'server_down']);
    const counts = await n.jobs.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active');
    expect(counts).toEqual({ completed: 7, failed: 0, wait: 0, delayed: 0, active: 0 });
  });

  it('keeps a notification that never got through in the failed list, and never makes the caller wait', async () => {
    const dead = await receiver(Infinity);
    const n = notifier();
    n.configure(NotificationsSchema.parse({ webhooks: [{ name: 'dead', url: dead.url }], retry: { attempts: 3, backoff: '50ms' } }));
    const started = performance.now();
    for (let i = 0; i < 100; i++) n.notify({ ...alert('firing'), key: `server_down:berlin:s${i}` });
    expect(performance.now() - started).toBeLessThan(100);
    await waitUntil(() => dead.received.length === 300, '3 attempts of each of the 100 notifications', 20_000);
    const failedCount = async () => (await n.jobs.getJobCounts('failed')).failed ?? 0;
    const deadline = Date.now() + 10_000;
    while ((await failedCount()) < 100 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const failed = await n.jobs.getFailed(0, -1);
    expect(failed).toHaveLength(100);
    expect(failed.every((job) => job.attemptsMade === 3 && job.failedReason === 'dead: HTTP 500 Internal Server Error')).toBe(true);
    expect(new Set(failed.map((job) => job.data.alert.key)).size).toBe(100);
  });
});
