import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('architecture', () => {
  it('keeps the core free of adapters and platform SDKs', () => {
    // src/cli/serve.ts is the composition root: the one file that assembles core and channels.
    const offenders = sources(join(ROOT, 'src')).filter((file) => !file.endsWith('/src/cli/serve.ts') &&
      /from ['"](\.\.\/)+adapters\/|from ['"](@slack\/|wechaty)/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('reads the environment only in src/config.ts', () => {
    // src/tools/ holds the eval and bench scripts, which start child processes with their own env.
    const offenders = sources(join(ROOT, 'src')).filter(
      (file) => !file.endsWith('config.ts') && !file.includes('/src/tools/') && /process\.env\b/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
