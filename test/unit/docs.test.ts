// The README is the user's front door: its configuration table must say exactly what the code
// does (regenerate it with `npm run docs`). Error and close codes: test/unit/security-docs.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConfig, section } from '../../scripts/docs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every configuration variable with its default', () => {
    expect(section(readme, 'config')).toBe(renderConfig());
  });
  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
