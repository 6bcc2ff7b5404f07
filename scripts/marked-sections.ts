// Generated parts of a hand-kept Markdown file sit between `<!-- name:start -->` and
// `<!-- name:end -->`: the README's tables and table of contents (scripts/docs.ts), and the
// soak's and the publish WAIT bench's figures in BENCHMARKS.md, which a complete `npm run bench`
// keeps when it writes the rest (bench/run.ts).

const markers = (name: string) => [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`] as const;

/** The text between a section's markers, or undefined if the text has none. */
export function findSection(text: string, name: string): string | undefined {
  const [start, end] = markers(name);
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  return from < 0 || to < from ? undefined : text.slice(from + start.length, to).trim();
}

/** The text between a section's markers; throws if it has none. */
export function section(text: string, name: string): string {
  const found = findSection(text, name);
  if (found === undefined) throw new Error(`no ${name} section (<!-- ${name}:start --> … <!-- ${name}:end -->)`);
  return found;
}

/** A section with its markers, to append to a file that has none yet. */
export function markedSection(name: string, body: string): string {
  const [start, end] = markers(name);
  return `${start}\n${body}\n${end}\n`;
}

/** Replace a section's body; a text without the section gets it appended. */
export function replaceSection(text: string, name: string, body: string): string {
  const [start, end] = markers(name);
  if (findSection(text, name) === undefined) return `${text.trimEnd()}\n\n${markedSection(name, body)}`;
  return text.slice(0, text.indexOf(start) + start.length) + `\n${body}\n` + text.slice(text.indexOf(end));
}
