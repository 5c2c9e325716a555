// `npm start` builds first when dist/ is missing or older than the sources, so a fresh clone just works.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const built = 'dist/src/main.js';
const stale =
  !existsSync(built) ||
  Math.max(newestMtime('src'), newestMtime('migrations'), statSync('package.json').mtimeMs) > statSync(built).mtimeMs;
if (stale) {
  console.log('sla-tracker: building…');
  execSync('npx tsc -p tsconfig.build.json', { stdio: 'inherit' });
}
