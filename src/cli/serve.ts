// `privacy-bot serve` (and `npm start`): the composition root. This is the one file in src/
// that imports the adapters — it assembles the core and the channels into the server. The
// architecture test allows exactly this exception.

import { spawn } from 'node:child_process';
import type { Logger } from 'pino';
import { ADAPTERS } from '../../adapters/index.ts';
import { openBot, type Bot } from '../bot.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startServer, type RunningServer } from '../server/server.ts';

export async function serve(config: Config, options: { port?: number } = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const bot = await openBot(config, logger, { serving: true });
  const running = await startServer(bot, ADAPTERS, { port: options.port, watchKnowledge: true });
  if (bot.assistant.stale) rebuildInBackground(bot, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return running;
}

/**
 * The knowledge changed since the index was built: the previous index keeps serving (and
 * /healthz stays up) while `privacy-bot ingest` builds the new one in a child process,
 * re-indexing only the tenants whose policies changed; then the bot reloads, which finds the
 * index built and swaps it in.
 */
function rebuildInBackground(bot: Bot, logger: Logger): void {
  const started = performance.now();
  logger.info('knowledge changed: serving the previous index while the new one is built');
  // The same entry point (the build or the tsx launcher) and environment as this process.
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'ingest'], { stdio: ['ignore', 'ignore', 'inherit'] });
  child.unref();
  child.once('exit', (code) => {
    if (code !== 0) {
      logger.error({ code }, 'background index build failed; still serving the previous index (run privacy-bot ingest)');
      return;
    }
    void bot.reload?.().then((changed) => logger.info({ changed, ms: Math.round(performance.now() - started) }, 'index rebuilt in the background'));
  });
}
