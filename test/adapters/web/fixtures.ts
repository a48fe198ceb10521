import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TurnResult } from '../../../src/conversation/types.ts';

const DIR = join(import.meta.dirname, '../../fixtures/web');

export function fixture(name: string): string {
  return readFileSync(join(DIR, name), 'utf8');
}

/** A TurnResult the engine really returned, recorded as JSON. */
export function recordedTurn(name: string): TurnResult {
  return JSON.parse(fixture(name)) as TurnResult;
}
