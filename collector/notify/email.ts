// E-mail delivery over SMTP (nodemailer: STARTTLS when the server offers it, AUTH, proper MIME).
// One message per alert: a subject that says what and how bad, a plain-text body with the facts.
import { createTransport } from 'nodemailer';
import type { AlertMessage } from '../../shared/protocol/index.ts';
import type { Email } from '../farm/notifications-config.ts';
import { selects, type Channel } from './channel.ts';

export function emailChannel(name: string, config: Email): Channel {
  const { smtp } = config;
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user !== undefined && { auth: { user: smtp.user, pass: smtp.password ?? '' } }),
    tls: { rejectUnauthorized: !smtp.allowSelfSigned },
    connectionTimeout: smtp.timeout,
    greetingTimeout: smtp.timeout,
    socketTimeout: smtp.timeout,
  });
  return {
    name,
    accepts: (alert) => selects(config, alert),
    async deliver(alert) {
      await transport.sendMail({ from: config.from, to: [...config.to], subject: subjectOf(config.subjectPrefix, alert), text: bodyOf(alert) });
    },
    close: () => transport.close(),
  };
}

export function subjectOf(prefix: string, alert: AlertMessage): string {
  const state = alert.status === 'resolved' ? 'RESOLVED' : alert.level.toUpperCase();
  return `${prefix} ${state}: ${alert.message}`.trim();
}

function bodyOf(alert: AlertMessage): string {
  const facts: Array<[string, unknown]> = [
    ['Status', alert.status],
    ['Severity', alert.level],
    ['Rule', alert.rule],
    ['Site', alert.site],
    ['Server', alert.metadata?.server],
    ['Feature', alert.metadata?.feature],
    ['Time', alert.timestamp],
    ['Key', alert.key],
  ];
  const lines = facts.filter(([, value]) => value !== undefined).map(([label, value]) => `${label.padEnd(9)}${String(value)}`);
  return `${alert.message}\n\n${lines.join('\n')}\n\nDetails:\n${JSON.stringify(alert.metadata ?? {}, null, 2)}\n`;
}
