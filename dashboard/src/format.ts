// How numbers, sizes, times and durations read on the dashboard.

const GIB = 1024 ** 3;

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '–' : `${value.toFixed(value >= 10 ? 0 : 1)}%`;
}

export function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(bytes >= 100 * GIB ? 0 : 1)} GiB`;
}

/** `3s`, `4m 05s`, `2h 10m`, `3d 4h`: precise when short, coarse when long. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** `10:30:45.123` in the viewer's time zone. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

export type ExpiryUrgency = 'permanent' | 'ok' | 'soon' | 'urgent' | 'expired' | 'unknown';

/** A license's expiry (ISO date, null: permanent, undefined: not reported) as a countdown. */
export function expiryCountdown(expiry: string | null | undefined, now: number): { text: string; urgency: ExpiryUrgency } {
  if (expiry === null) return { text: 'permanent', urgency: 'permanent' };
  if (expiry === undefined) return { text: 'expiry unknown', urgency: 'unknown' };
  // A date alone means the end of that day (FlexLM licenses run through their expiry date).
  const end = new Date(expiry.length === 10 ? `${expiry}T23:59:59Z` : expiry).getTime();
  if (Number.isNaN(end)) return { text: `expires ${expiry}`, urgency: 'unknown' };
  const left = end - now;
  if (left <= 0) return { text: `expired ${expiry}`, urgency: 'expired' };
  const days = left / 86_400_000;
  return { text: `expires in ${duration(left)}`, urgency: days <= 7 ? 'urgent' : days <= 30 ? 'soon' : 'ok' };
}
