// The one duration grammar, wherever a person types a duration (`licmon keys create --expires`,
// the farm file): a number, decimals allowed, and a unit, `ms s m h d w`. `1500ms`, `30s`,
// `1.5h`, `2w`. Whitespace around and between is allowed (`30 s`); signs and exponents are not.

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
type Unit = keyof typeof UNIT_MS;

// Up to 15 integer digits (more would lose precision as a number of ms) and 9 decimals.
const DURATION_RE = /^(\d{1,15}(?:\.\d{1,9})?)\s*(ms|s|m|h|d|w)$/;

/** What every error says the grammar is. */
export const DURATION_HINT = 'a number with ms, s, m, h, d or w (e.g. 1500ms, 30s, 1.5h, 2w)';

export class DurationError extends Error {
  override readonly name = 'DurationError';

  constructor(readonly input: string) {
    super(`${JSON.stringify(input)} is not a duration: write ${DURATION_HINT}`);
  }
}

/** Whole milliseconds (a fraction of a millisecond rounds); throws DurationError naming the input. */
export function parseDuration(text: string): number {
  const match = DURATION_RE.exec(text.trim());
  if (!match) throw new DurationError(text);
  const ms = Math.round(Number(match[1]) * UNIT_MS[match[2] as Unit]);
  if (!Number.isSafeInteger(ms)) throw new DurationError(text);
  return ms;
}

/** The largest whole unit that fits: 90000 → `90s`, 3600000 → `1h`, 1209600000 → `2w`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of Object.entries(UNIT_MS).reverse()) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
