import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '../../../adapters/slack');
const source = (file: string) => readFileSync(join(DIR, file), 'utf8');
/** Imports that load code at run time (type-only imports are erased). */
const runtimeImports = (file: string) => [...source(file).matchAll(/^import (?!type )[^;]*? from '([^']+)';/gm)].map((m) => m[1]);

describe('slack adapter layout', () => {
  it('keeps parsing, rendering, retries, error mapping and the agent desk free of the Slack SDK', () => {
    for (const file of ['parse.ts', 'render.ts', 'retries.ts', 'errors.ts', 'desk-parse.ts', 'desk-render.ts', 'agent-access.ts', 'desk.ts']) {
      expect({ file, sdk: runtimeImports(file).filter((m) => m!.startsWith('@slack/')) }).toEqual({ file, sdk: [] });
    }
  });

  it('checks signatures with Bolt’s own function, not a copy', () => {
    expect(source('verify.ts')).toMatch(/import \{ verifySlackRequest \} from '@slack\/bolt'/);
    expect(source('verify.ts')).not.toMatch(/createHmac/);
  });
});
