// Reads FARM_CONFIG (YAML, or JSON — YAML's parser reads both and knows where every value sits)
// and validates it. Every problem is reported with its file, line, column and key path, e.g.
//   farm.yaml:14:18: sites.berlin.servers[1].address: must be port@host, ...
// `${NAME}` in a string is replaced by the environment variable NAME, so secrets (webhook
// tokens, SMTP passwords) stay out of the file.
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { FarmFileSchema, normalizeFarm, privacyProblem, type FarmConfig } from './farm-config.ts';

export class FarmConfigError extends Error {
  override name = 'FarmConfigError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid farm configuration ${file}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

type Path = ReadonlyArray<PropertyKey>;

export async function loadFarmConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<FarmConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FarmConfigError(file, [`${file}: cannot read: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseFarmConfig(text, file, env);
}

/** Parse and validate a farm configuration's text; `file` names it in error messages. */
export function parseFarmConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): FarmConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    throw new FarmConfigError(file, doc.errors.map((e) => `${at(e.pos[0])}: ${e.message.split('\n')[0]}`));
  }
  const problems: string[] = [];
  const raw = substituteEnv(doc.toJS(), [], env, (path, message) => problems.push(`${at(offsetOf(doc, path))}: ${showPath(path)}: ${message}`));
  if (problems.length > 0) throw new FarmConfigError(file, problems);

  const result = FarmFileSchema.safeParse(raw ?? {});
  if (!result.success) {
    throw new FarmConfigError(file, result.error.issues.flatMap((issue) => describe(issue, doc, at)));
  }
  const privacy = privacyProblem(result.data.privacy, env.LICMON_PRIVACY_KEY);
  if (privacy !== undefined) throw new FarmConfigError(file, [`${at(offsetOf(doc, ['privacy', 'users']))}: privacy.users: ${privacy}`]);
  return normalizeFarm(result.data, env.LICMON_PRIVACY_KEY);
}

function describe(issue: z.core.$ZodIssue, doc: Document, at: (offset: number) => string): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      return `${at(offsetOf(doc, path))}: ${showPath(path)}: unknown key (a typo?)`;
    });
  }
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  // A bad map key (a site's name): the key's own schema says what is wrong with it.
  const message = missing ? 'is required' : issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return [`${at(offsetOf(doc, issue.path))}: ${showPath(issue.path)}: ${message}`];
}

/** Where `path` is written: the key of a map entry, an item of a list, or the nearest parent that exists. */
function offsetOf(doc: Document, path: Path): number {
  for (let n = path.length; n > 0; n--) {
    const parent = doc.getIn(path.slice(0, n - 1), true);
    const last = path[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === last);
      const node = pair?.key;
      if (isNode(node) && node.range) return node.range[0];
    } else if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (isNode(item) && item.range) return item.range[0];
    }
  }
  return doc.contents && isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : 0;
}

/** `sites.berlin.servers[2].address` */
function showPath(path: Path): string {
  if (path.length === 0) return '(top level)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function substituteEnv(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, problem: (path: Path, message: string) => void): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_ref, name: string) => {
      const found = env[name];
      if (found === undefined) problem(path, `environment variable ${name} is not set`);
      return found ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => substituteEnv(item, [...path, i], env, problem));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, [...path, k], env, problem)]));
  }
  return value;
}
