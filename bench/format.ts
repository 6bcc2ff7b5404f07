// Number formatting shared by the progress log, the terminal tables and BENCHMARKS.md.

/** 1234567 → "1.23M", 45678 → "46k", 950 → "950". */
export function count(n: number): string {
  if (!Number.isFinite(n)) return '—';
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(0)}k` : n.toFixed(0);
}

export function ms(n: number): string {
  return Number.isFinite(n) ? `${n < 10 ? n.toFixed(2) : n.toFixed(1)} ms` : '—';
}

export function bytes(n: number): string {
  if (!Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  return abs >= 1024 ** 3 ? `${(n / 1024 ** 3).toFixed(2)} GB` : abs >= 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : abs >= 1024 ? `${(n / 1024).toFixed(2)} KB` : `${n.toFixed(0)} B`;
}

export function percent(ratio: number): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(ratio < 0.1 ? 1 : 0)}%` : '—';
}

export function times(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio.toFixed(ratio < 2 ? 2 : ratio < 10 ? 1 : 0)}×` : '—';
}
