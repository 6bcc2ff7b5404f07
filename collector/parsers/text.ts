// Small text helpers shared by the parsers.

/** Lines of a tool's output, Unix or Windows line endings alike, without their terminators. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A non-negative integer, or `undefined` when the text is not one. */
export function toCount(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** `port@host` → its parts; anything else → `undefined`. */
export function parsePortAtHost(address: string): { port: number; host: string } | undefined {
  const match = /^(\d+)@(\S+)$/.exec(address.trim());
  if (!match) return undefined;
  return { port: Number(match[1]), host: match[2] ?? '' };
}
