// Where the project's own files are, whether this code runs from its sources (tsx, tests) or
// compiled into dist/ (npm run build): dist/ mirrors the source tree one level down.
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const sharedDir = fileURLToPath(new URL('.', import.meta.url));
const parent = resolve(sharedDir, '..');

/** The repository (or image) root: where package.json, dashboard/ and client/ are. */
export const PROJECT_ROOT = basename(parent) === 'dist' ? resolve(parent, '..') : parent;
