// Builds better-sqlite3's native binding from source when it is missing (npm 11 runs no
// dependency install scripts, and its prebuilt binaries come from outside the registry).
// Node's headers are in /usr/include/node on Debian (see docs/service.md); about 2 min on 2 cores.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let dir;
try {
  dir = path.dirname(require.resolve('better-sqlite3/package.json'));
} catch {
  process.exit(0); // not installed (production install without it): nothing to build
}
const binding = path.join(dir, 'build', 'Release', 'better_sqlite3.node');
if (fs.existsSync(binding)) process.exit(0);
const nodedir = process.env.npm_config_nodedir || (fs.existsSync('/usr/include/node/node.h') ? '/usr' : path.resolve(process.execPath, '..', '..'));
console.error(`flowsim: building better-sqlite3 from source (nodedir ${nodedir}; about 2 minutes)`);
const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [path.dirname(process.execPath) + '/../lib/node_modules/npm', dir] });
try {
  execFileSync(process.execPath, [gyp, 'rebuild', '--release', `--nodedir=${nodedir}`, `--jobs=${Math.max(1, (await import('node:os')).availableParallelism())}`], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
} catch (e) {
  console.error(`flowsim: could not build better-sqlite3 (${e.message}); 'npm run serve' needs it, everything else works without it`);
  process.exit(0);
}
