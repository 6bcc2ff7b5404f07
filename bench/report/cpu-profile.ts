// Summarise the V8 CPU profiles (`--cpu-prof`) of the gateway: the functions that spent the most
// time themselves (self time), as a share of the busy (non-idle) time.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface HotFunction {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  /** Share of the non-idle sampled time. */
  readonly share: number;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function location(url: string, line: number): string {
  if (!url) return '';
  const path = url.startsWith('file://') ? relative(ROOT, fileURLToPath(url)) : url;
  // TypeScript runs transpiled (tsx): its line numbers are the output's, not the source's.
  return path.endsWith('.ts') ? path : `${path}:${line + 1}`;
}

/** The top `limit` functions by self time over every profile in `dir`. */
export function hotFunctions(dir: string, limit = 15): HotFunction[] {
  const self = new Map<string, { name: string; where: string; us: number }>();
  let busy = 0;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id)?.callFrame;
      if (!frame) return;
      const us = profile.timeDeltas[i] ?? 0;
      if (frame.functionName === '(idle)') return;
      busy += us;
      const name = frame.functionName || '(anonymous)';
      const where = location(frame.url, frame.lineNumber);
      const key = `${name}@${where}`;
      const entry = self.get(key) ?? { name, where, us: 0 };
      entry.us += us;
      self.set(key, entry);
    });
  }
  return [...self.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, limit)
    .map((e) => ({ name: e.name, where: e.where, selfMs: e.us / 1000, share: busy > 0 ? e.us / busy : 0 }));
}
