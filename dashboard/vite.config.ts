// The dashboard's build: `npm run build:dashboard` writes dashboard/dist, which every gateway
// serves at `/`. Relative asset URLs, so it also works behind a balancer under a path prefix.
// `npm run dev:dashboard` serves it with live reload, proxying the WebSocket endpoints to a
// gateway (LICMON_GATEWAY, default http://localhost:8080 — `npm start` runs one).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const gateway = process.env.LICMON_GATEWAY ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 300 },
  server: {
    // The page imports the SDK from ../client and the protocol's codes from ../shared.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: { '/ws': { target: gateway, ws: true } },
  },
});
