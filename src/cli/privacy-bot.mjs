#!/usr/bin/env node
// The command's entry point. The project runs its TypeScript sources directly through
// tsx's loader, so a fresh clone needs no build step before `npx privacy-bot`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
