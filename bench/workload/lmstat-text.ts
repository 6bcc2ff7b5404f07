// A large FlexLM `lmutil lmstat -a` answer, generated, in the layout lmutil 11.19 prints: a server
// with `features` features and `checkouts` checkouts spread over them (the first ones busiest, as
// on real farms), for the collector's cost per poll. Checkout lines without the `, PID: N` of
// 11.19, which the parser did not read yet when this was written.

const VERSION = 'v11.19.0';

/** `lmstat -a` text of one server; deterministic for given figures. */
export function lmstatText(features: number, checkouts: number, host = 'lic-bench'): string {
  const lines = [
    'lmutil - Copyright (c) 1989-2024 Flexera. All Rights Reserved.',
    'Flexible License Manager status on Sat 12/5/2026 10:00',
    '',
    '[Detecting lmgrd processes...]',
    `License server status: 27000@${host}`,
    `    License file(s) on ${host}: /opt/flexlm/licenses/bench.lic:`,
    '',
    `  ${host}: license server UP (MASTER) ${VERSION}`,
    '',
    `Vendor daemon status (on ${host}):`,
    '',
    `  benchd: UP ${VERSION}`,
    '',
    'Feature usage info:',
    '',
  ];
  // Checkouts per feature: a harmonic spread, so a few features hold most of them.
  const weights = Array.from({ length: features }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts = weights.map((w) => Math.floor((w / total) * checkouts));
  for (let left = checkouts - counts.reduce((a, b) => a + b, 0), i = 0; left > 0; left--, i++) counts[i % features]!++;
  let handle = 100;
  counts.forEach((used, i) => {
    const name = `feature_${String(i).padStart(3, '0')}`;
    const issued = used + 10;
    lines.push(`Users of ${name}:  (Total of ${issued} licenses issued;  Total of ${used} license${used === 1 ? '' : 's'} in use)`, '');
    if (used === 0) return;
    lines.push(`  "${name}" v2024.1, vendor: benchd, expiry: 31-dec-2027`, '  vendor_string: bench', '  floating license', '');
    for (let c = 0; c < used; c++) {
      const user = `user${(i * 7 + c) % 900}`;
      const ws = `ws-${String((i * 13 + c) % 700).padStart(3, '0')}`;
      lines.push(`    ${user} ${ws} ${ws}:0 (v2024.1) (${host}/27000 ${handle++}), start Sat 12/5 ${8 + (c % 2)}:${String(c % 60).padStart(2, '0')}`);
    }
    lines.push('');
  });
  return `${lines.join('\n')}\n`;
}
