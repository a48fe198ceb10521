// Where the repository's data folders (knowledge/, prompts/, adapters/web/public/) are, both
// when running the TypeScript sources (src/…) and the build (dist/src/…).

import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = dirname(fileURLToPath(import.meta.url));

export const PROJECT_ROOT = basename(dirname(SRC)) === 'dist' ? resolve(SRC, '../..') : resolve(SRC, '..');

/** Running the compiled JavaScript of `npm run build` rather than the TypeScript sources. */
export const RUNNING_BUILD = basename(dirname(SRC)) === 'dist';
