// FlexLM/RLM expiry dates (`31-dec-2025`, `permanent(no expiration date)`, `1-jan-0`) → ISO
// dates, with the conventions vendors use to write "never".

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * From this year on a date means "never": vendors issue "permanent" licenses as 31-dec-2099,
 * 1-jan-2100 or 31-dec-9999 instead of writing `permanent`.
 */
export const NEVER_FROM_YEAR = 2099;

const DATE_RE = /^(\d{1,2})-([a-z]{3})-(\d{1,4})$/i;

/**
 * `null` when the license never expires, an ISO date (`YYYY-MM-DD`) otherwise, `undefined`
 * when the text is not an expiry at all (so the caller can report the line).
 */
export function parseExpiry(text: string): string | null | undefined {
  const value = text.trim().toLowerCase();
  if (value.startsWith('permanent') || value === 'never' || value === 'none') return null;
  const match = DATE_RE.exec(value);
  if (!match) return undefined;
  const day = Number(match[1]);
  const month = MONTHS.indexOf(match[2] ?? '') + 1;
  const yearText = match[3] ?? '';
  let year = Number(yearText);
  if (month === 0 || day < 1 || day > 31) return undefined;
  // Year 0 (`1-jan-0`, `1-jan-00`, `01-jan-0000`) is FlexLM's "permanent".
  if (year === 0) return null;
  // Old two-digit years: FlexLM reads them as 19xx.
  if (yearText.length <= 2) year += 1900;
  if (year >= NEVER_FROM_YEAR) return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCDate() !== day) return undefined; // 31-feb-2025
  return date.toISOString().slice(0, 10);
}

/** The expiry that comes first, `null` (never) only when every one is `null`. */
export function soonestExpiry(expiries: readonly (string | null)[]): string | null {
  let soonest: string | null = null;
  for (const expiry of expiries) {
    if (expiry !== null && (soonest === null || expiry < soonest)) soonest = expiry;
  }
  return soonest;
}
