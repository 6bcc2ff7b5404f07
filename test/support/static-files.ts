// A tiny HTTP server for the files of one directory, so browser tests load pages from a real
// http:// origin (as users' pages are) rather than about:blank.
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, extname, join } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export interface StaticFiles {
  /** e.g. http://127.0.0.1:34567 */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveFiles(dir: string): Promise<StaticFiles> {
  const server = createServer((req, res) => {
    // Only the directory's own files: the basename drops any path, "../" included.
    const name = basename(new URL(req.url ?? '/', 'http://x').pathname);
    readFile(join(dir, name)).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(name)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
