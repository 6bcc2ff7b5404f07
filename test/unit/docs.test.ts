// The README is the user's front door: its configuration table must say exactly what the code
// does, and its close-code table must be shared/protocol/close-codes.ts (regenerate both with
// `npm run docs`). Error codes: test/unit/security-docs.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCloseCodes, renderConfig, renderMetrics, renderToc } from '../../scripts/docs.ts';
import { section } from '../../scripts/marked-sections.ts';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration variable with its default', () => {
    expect(section(readme, 'config')).toBe(renderConfig());
  });
  it('documents every close code, generated from the one table', () => {
    const table = section(readme, 'close-codes');
    expect(table).toBe(renderCloseCodes());
    for (const { code } of CLOSE_CODES) expect(table).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
  it('documents every Prometheus metric of a gateway and a collector, generated from their registries', () => {
    const table = section(readme, 'metrics');
    expect(table).toBe(renderMetrics());
    for (const name of ['flexlm_feature_used_users', 'licmon_gateway_delivery_delay_seconds', 'licmon_build_info', 'process_cpu_seconds_total']) expect(table).toContain(`\`${name}\``);
  });
  it('opens with a table of contents of every section, whose links all lead to a heading', () => {
    const toc = section(readme, 'toc');
    expect(toc).toBe(renderToc(readme));
    expect(toc).toContain('- [Quick start](#quick-start)');
    expect(toc).toContain('  - [First five minutes](#first-five-minutes)');
    // Every in-page link of the README lands on an anchor the TOC knows.
    const anchors = new Set([...toc.matchAll(/\(#([^)]+)\)/g)].map((m) => m[1]));
    for (const [, anchor] of readme.matchAll(/\]\(#([^)]+)\)/g)) expect(anchors, `#${anchor}`).toContain(anchor);
  });
  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
