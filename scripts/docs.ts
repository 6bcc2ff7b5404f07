// Regenerates the README's generated tables (error codes, close codes) from the code, so the
// documentation cannot drift: `npm run docs`. test/unit/docs.test.ts fails when they differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLOSE_DESCRIPTIONS, ERROR_DESCRIPTIONS } from '../shared/protocol/index.ts';

export function renderErrorCodes(): string {
  const rows = Object.entries(ERROR_DESCRIPTIONS).map(([code, text]) => `| \`${code}\` | ${text} |`);
  return ['| code | when |', '|---|---|', ...rows].join('\n');
}

export function renderCloseCodes(): string {
  const rows = Object.entries(CLOSE_DESCRIPTIONS).map(([code, text]) => `| ${code} | ${text} |`);
  return ['| code | meaning |', '|---|---|', ...rows].join('\n');
}

const marker = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** The text between a section's markers. */
export function section(text: string, name: string): string {
  const [start, end] = marker(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`README has no ${name} section`);
  return text.slice(from + start.length, to).trim();
}

function replaceSection(text: string, name: string, body: string): string {
  const [start, end] = marker(name);
  return text.slice(0, text.indexOf(start) + start.length) + `\n${body}\n` + text.slice(text.indexOf(end));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const path = new URL('../README.md', import.meta.url);
  let readme = readFileSync(path, 'utf8');
  readme = replaceSection(readme, 'error-codes', renderErrorCodes());
  readme = replaceSection(readme, 'close-codes', renderCloseCodes());
  writeFileSync(path, readme);
}
