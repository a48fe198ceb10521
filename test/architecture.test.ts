import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

  it('loads the Slack and wechaty SDKs only when a channel needs them (no static import on the start-up path)', () => {
    // Static imports reachable from the compiled entry point; `await import()` is not followed.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
        else packages.add(spec);
      }
    };
    visit(join(ROOT, 'src/cli/run.ts'));
    visit(join(ROOT, 'src/cli/serve.ts'));
    expect(seen.size).toBeGreaterThan(30);
    expect([...packages].filter((p) => p.startsWith('@slack/') || p.startsWith('wechaty'))).toEqual([]);
  });
});
