// A redis.conf or sentinel.conf as the tests read it: directives are lines of words (the files
// deploy/ ships quote nothing); comments and blank lines do not count.

/** The arguments of the first directive that starts with `words` (e.g. `sentinel`, `monitor`). */
export function directive(text: string, ...words: string[]): string[] | undefined {
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts[0]?.startsWith('#')) continue;
    if (words.every((word, i) => parts[i] === word)) return parts.slice(words.length);
  }
  return undefined;
}
