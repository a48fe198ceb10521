#!/usr/bin/env node
// `npm start` runs the compiled JavaScript in dist/. This builds it first when it is missing
// or older than a source file (a fresh clone, a pull), so `npm start` never runs stale code;
// when the build is current it costs a directory walk (milliseconds).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRY = join(ROOT, 'dist/src/cli/run.js');

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(path));
    else if (entry.name.endsWith('.ts')) latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const built = existsSync(ENTRY) ? statSync(ENTRY).mtimeMs : 0;
const sources = Math.max(newest(join(ROOT, 'src')), newest(join(ROOT, 'adapters')), statSync(join(ROOT, 'src/tsconfig.build.json')).mtimeMs);
if (built < sources) {
  console.error(built === 0 ? 'privacy-bot: no build in dist/, running npm run build' : 'privacy-bot: sources changed since the last build, rebuilding dist/');
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'src/tsconfig.build.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
