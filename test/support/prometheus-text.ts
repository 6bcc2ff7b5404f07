// Reading Prometheus exposition text in tests: samples keyed by name and sorted labels, so an
// assertion names a series exactly however the exporter orders its labels.

/** `name{a="1",b="2"}` with labels sorted by name (or just `name`). */
export function seriesKey(name: string, labels: Record<string, string> = {}): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? name : `${name}{${entries.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

const SAMPLE_RE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL_RE = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample of the text, by seriesKey. */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = SAMPLE_RE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL_RE)) labels[k!] = JSON.parse(`"${v!}"`) as string;
    samples.set(seriesKey(m[1]!, labels), Number(m[3] === '+Inf' ? Infinity : m[3]));
  }
  return samples;
}

/** The metric families the text declares (`# TYPE name type`). */
export function metricFamilies(text: string): Set<string> {
  return new Set([...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((m) => m[1]!));
}
