// `npm run asyncapi`: write docs/asyncapi.yaml from the protocol's schemas. `--check` writes
// nothing and exits 1 if the committed file differs (for CI; the unit test does the same).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderAsyncApiYaml } from './asyncapi-document.ts';

const FILE = new URL('../docs/asyncapi.yaml', import.meta.url);
const generated = renderAsyncApiYaml();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(FILE, 'utf8');
  } catch {
    // missing: reported as drift below
  }
  if (committed !== generated) {
    process.stderr.write('docs/asyncapi.yaml is out of date: run `npm run asyncapi` and commit it\n');
    process.exitCode = 1;
  }
} else {
  writeFileSync(FILE, generated);
  process.stdout.write('wrote docs/asyncapi.yaml\n');
}
