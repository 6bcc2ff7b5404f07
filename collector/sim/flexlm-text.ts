// What FlexLM's tools would print about a simulated server: `lmutil lmstat -a` and `lmstat -i`
// output and debug-log lines, in the layouts of the recorded fixtures (test/fixtures), so the
// simulator goes through the same parsers as a real farm. Times are the server's clock in UTC.
import type { FeatureState, ServerState } from './farm-layout.ts';

const BANNER = 'lmutil - Copyright (c) 1989-2023 Flexera. All Rights Reserved.';
const FLEX_VERSION = 'v11.16.2';
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const CANNOT_CONNECT = 'Cannot connect to license server system. (-15,570:111 "Connection refused")';

/** FlexLM serves while all of a single server, or two of a triad's three, are up. */
export function hasQuorum(server: ServerState): boolean {
  const up = server.hosts.length - server.downHosts.size;
  return server.hosts.length === 3 ? up >= 2 : up >= 1;
}

export function lmstatA(server: ServerState, now: number): string {
  const head = [BANNER, `Flexible License Manager status on ${dayDate(now)} ${hourMinute(now)}`, ''];
  const up = server.hosts.filter((h) => !server.downHosts.has(h));
  if (up.length === 0) return [...head, `Error getting status: ${CANNOT_CONNECT}`, ''].join('\n');
  const master = up[0]!;
  const lines = [
    ...head,
    '[Detecting lmgrd processes...]',
    `License server status: ${server.hosts.map((h) => `${server.port}@${h}`).join(',')}`,
    `    License file(s) on ${master}: /opt/flexlm/licenses/${server.id}.lic:`,
    '',
    ...server.hosts.map((h) =>
      server.downHosts.has(h) ? `  ${h}: Cannot connect to license server system. (-15,570:113 "No route to host")` : `  ${h}: license server UP${h === master ? ' (MASTER)' : ''} ${FLEX_VERSION}`,
    ),
    '',
    `Vendor daemon status (on ${master}):`,
    '',
  ];
  if (!hasQuorum(server)) {
    // lmgrd answers, but without quorum its vendor daemons are shut down.
    lines.push(...server.vendors.map((v) => `  ${v}: The desired vendor daemon is down. (-97,121)`), '');
    return `${lines.join('\n')}\n`;
  }
  lines.push(...server.vendors.map((v) => `  ${v}: UP ${FLEX_VERSION}`), 'Feature usage info:', '');
  let handle = 1000;
  for (const f of server.features) lines.push(...featureBlock(server, f, master, () => handle++));
  return `${lines.join('\n')}\n`;
}

function featureBlock(server: ServerState, f: FeatureState, master: string, nextHandle: () => number): string[] {
  const plural = (n: number) => `${n} license${n === 1 ? '' : 's'}`;
  const block = [`Users of ${f.name}:  (Total of ${plural(f.issued)} issued;  Total of ${plural(f.used)} in use)`, ''];
  // lmstat prints a feature's detail line (with its expiry) only above a list of users.
  if (f.checkouts.length === 0 && f.queue.length === 0) return block;
  block.push(`  "${f.name}" v${f.version}, vendor: ${f.vendor}, expiry: ${flexDate(f.expiry)}`, '  vendor_string: simulated', '  floating license', '');
  const where = `(${master}/${server.port} ${nextHandle()})`;
  for (const c of f.checkouts) {
    const count = c.count > 1 ? `, ${c.count} licenses` : '';
    block.push(`    ${c.user} ${c.host} ${c.host}:0 (v${f.version}) (${master}/${server.port} ${c.handle}), start ${dayMonthDay(c.since)} ${hourMinute(c.since)}${count}`);
  }
  for (const q of f.queue) block.push(`    ${q.user} ${q.host} ${q.host}:0 (v${f.version}) ${where} queued for 1 license`);
  block.push('');
  return block;
}

export function lmstatI(server: ServerState, now: number): string {
  const lines = [
    BANNER,
    `Flexible License Manager status on ${dayDate(now)} ${hourMinute(now)}`,
    '',
    'NOTE: lmstat -i does not give information from the server,',
    '      but only reads the license file.  For this reason, ',
    '      lmstat -a is recommended instead.',
    '',
    'Feature                         Version     #licenses    Expires      Vendor',
    '_______                         _________   _________    __________   ______',
    ...server.features.map((f) => `${f.name.padEnd(32)}${f.version.padEnd(12)}${String(f.issued).padEnd(13)}${flexDate(f.expiry).padEnd(13)}${f.vendor}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** One debug-log line: `H:MM:SS (daemon) text`, the hour space-padded as lmgrd writes it. */
export function debugLine(at: number, daemon: string, text: string): string {
  const d = new Date(at);
  return `${String(d.getUTCHours()).padStart(2)}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} (${daemon}) ${text}`;
}

/** lmgrd's TIMESTAMP date: M/D/YYYY. */
export function usDate(at: number): string {
  const d = new Date(at);
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
}

/** `31-dec-2025`, or FlexLM's `permanent`. */
function flexDate(expiry: string | null): string {
  if (expiry === null) return 'permanent(no expiration date)';
  const [year, month, day] = expiry.split('-').map(Number);
  return `${day}-${MONTHS[month! - 1]}-${year}`;
}

function dayDate(at: number): string {
  return `${DAYS[new Date(at).getUTCDay()]} ${usDate(at)}`;
}

function dayMonthDay(at: number): string {
  const d = new Date(at);
  return `${DAYS[d.getUTCDay()]} ${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
}

function hourMinute(at: number): string {
  const d = new Date(at);
  return `${d.getUTCHours()}:${pad(d.getUTCMinutes())}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
