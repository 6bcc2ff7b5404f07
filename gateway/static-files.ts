// The dashboard (dashboard/dist, built by `npm run build:dashboard`), served by every gateway at
// `/`: static files, no server-side state, so any gateway behind the balancer serves it alike.
// The files are read once at start into memory with their type, ETag and a gzipped copy: a
// request never touches the file system, and only the files found at start get a route — any
// other path (`/../package.json`, `/assets/%2e%2e/x`) falls through to the gateway's 404.
// Vite's hashed assets are cached for a year; index.html is revalidated by ETag on every load,
// so a new build shows at once. Without a build, `/` answers a page saying how to make one.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { HttpRequest, HttpResponse, TemplatedApp } from 'uWebSockets.js';
import { PROJECT_ROOT } from '../shared/paths.ts';

export const DASHBOARD_DIST = join(PROJECT_ROOT, 'dashboard', 'dist') + sep;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.txt']);

// The page talks only to the gateway that served it ('self' covers ws:/wss: to the same host).
const PAGE_HEADERS: Array<[string, string]> = [
  ['content-security-policy', "default-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"],
  ['referrer-policy', 'no-referrer'],
  ['x-frame-options', 'DENY'],
];

export interface StaticFile {
  /** The URL path it answers, e.g. `/assets/index-3f2a.js`. */
  readonly path: string;
  readonly body: Buffer;
  readonly gzipped: Buffer | undefined;
  readonly etag: string;
  readonly headers: ReadonlyArray<[string, string]>;
}

/** Every regular file under `dir` (symlinks and dotfiles skipped); none when it does not exist. */
export function loadStaticFiles(dir: string = DASHBOARD_DIST): StaticFile[] {
  const files: StaticFile[] = [];
  const walk = (relative: string) => {
    let entries;
    try {
      entries = readdirSync(join(dir, relative), { withFileTypes: true });
    } catch {
      return; // no build (or one being replaced right now): served as missing
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const file = staticFile(dir, path);
        if (file) files.push(file);
      }
    }
  };
  walk('');
  return files;
}

function staticFile(dir: string, path: string): StaticFile | undefined {
  let body: Buffer;
  try {
    body = readFileSync(join(dir, path));
  } catch {
    return undefined;
  }
  const ext = extname(path).toLowerCase();
  const gzipped = COMPRESSIBLE.has(ext) ? gzipSync(body, { level: 9 }) : undefined;
  const isPage = ext === '.html';
  return {
    path,
    body,
    gzipped: gzipped && gzipped.length < body.length ? gzipped : undefined,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    headers: [
      ['content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream'],
      // Vite names what it emits under assets/ by content hash: such a name never changes meaning.
      ['cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache'],
      ['x-content-type-options', 'nosniff'],
      ...(isPage ? PAGE_HEADERS : []),
    ],
  };
}

/** Routes for the dashboard's files (and `/` for index.html); register before the catch-all 404. */
export function registerStaticFiles(app: TemplatedApp, files: readonly StaticFile[] = loadStaticFiles()): void {
  const route = (path: string, file: StaticFile) => {
    const handler = serve(file);
    app.get(path, handler).head(path, handler);
  };
  for (const file of files) route(file.path, file);
  const index = files.find((f) => f.path === '/index.html');
  if (index) route('/', index);
  else app.get('/', (res) => {
    res.cork(() => res.writeStatus('200 OK').writeHeader('content-type', 'text/html; charset=utf-8').writeHeader('cache-control', 'no-store').end(BUILD_HINT));
  });
}

function serve(file: StaticFile) {
  return (res: HttpResponse, req: HttpRequest) => {
    // uWS: read the request before anything else (it is only valid in this synchronous call).
    const notModified = matchesEtag(req.getHeader('if-none-match'), file.etag);
    const gzip = file.gzipped !== undefined && /\bgzip\b/.test(req.getHeader('accept-encoding'));
    const head = req.getMethod().toLowerCase() === 'head';
    res.cork(() => {
      res.writeStatus(notModified ? '304 Not Modified' : '200 OK');
      for (const [name, value] of file.headers) res.writeHeader(name, value);
      res.writeHeader('etag', file.etag);
      if (file.gzipped) res.writeHeader('vary', 'accept-encoding');
      if (notModified) {
        res.endWithoutBody();
        return;
      }
      if (gzip) res.writeHeader('content-encoding', 'gzip');
      const body = gzip ? file.gzipped! : file.body;
      // (This uWS's endWithoutBody(length) aborts the process: the length goes in as a header.)
      if (head) res.writeHeader('content-length', String(body.length)).endWithoutBody();
      else res.end(body);
    });
  };
}

function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  return ifNoneMatch !== '' && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag || tag.trim() === '*');
}

const BUILD_HINT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>License Monitor: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 4em auto">
<h1>The dashboard is not built</h1>
<p>This gateway is running, but it found no dashboard to serve in <code>dashboard/dist</code>.
Build it, then restart the gateway:</p>
<pre>npm run build:dashboard</pre>
<p>(<code>npm start</code> builds it by itself.) The WebSocket endpoints work without it:
<code>/ws/logs</code>, <code>/ws/metrics</code>, <code>/ws/combined</code>.</p>
</body></html>
`;
