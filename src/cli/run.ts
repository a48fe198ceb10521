// The compiled entry point (`npm start`, `node dist/src/cli/run.js ...`): the same commands as
// `privacy-bot`, without a TypeScript loader.

import { main } from './main.ts';

process.exitCode = await main(process.argv.slice(2));
