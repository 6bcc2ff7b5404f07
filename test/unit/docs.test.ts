// The README is the user's front door: its tables of error codes and close codes must say
// exactly what the code does (regenerate them with `npm run docs` after changing a code).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderCloseCodes, renderConfig, renderErrorCodes, section } from '../../scripts/docs.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('documents every error code, as the code describes it', () => {
    expect(section(readme, 'error-codes')).toBe(renderErrorCodes());
  });
  it('documents every close code', () => {
    expect(section(readme, 'close-codes')).toBe(renderCloseCodes());
  });
  it('documents every configuration variable with its default', () => {
    expect(section(readme, 'config')).toBe(renderConfig());
  });
  it('gives the two quick-start commands', () => {
    expect(readme).toContain('npm start');
    expect(readme).toContain('npm test');
  });
});
