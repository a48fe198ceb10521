// `privacy-bot serve` (and `npm start`): the composition root. This is the one file in src/
// that imports the adapters — it assembles the core and the channels into the server. The
// architecture test allows exactly this exception.

import { ADAPTERS } from '../../adapters/index.ts';
import { openBot } from '../bot.ts';
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startServer, type RunningServer } from '../server/server.ts';

export async function serve(config: Config, options: { port?: number } = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const bot = await openBot(config, logger);
  const running = await startServer(bot, ADAPTERS, { port: options.port, watchKnowledge: true });
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
