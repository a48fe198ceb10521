import pino from 'pino';
import { ADAPTERS } from '../../adapters/index.ts';
import { openBot } from '../../src/bot.ts';
import type { AdapterFactory } from '../../src/channels/channel.ts';
import { loadConfig } from '../../src/config.ts';
import type { PolicyAssistant } from '../../src/policy-assistant.ts';
import { startServer, type RunningServer } from '../../src/server/server.ts';
import { tempDir } from './assistant.ts';

/**
 * The real server on 127.0.0.1 and a free port, with a fresh data directory. `env` is the
 * environment the server would read (channel credentials, fake API URLs, ...). Two servers
 * given one `dataDir` share its database and key, like two instances of one deployment.
 */
export async function startTestServer(
  options: { env?: Record<string, string>; assistant?: PolicyAssistant; adapters?: AdapterFactory[]; logLevel?: string; dataDir?: string } = {},
): Promise<RunningServer & { dataDir: string }> {
  const dataDir = options.dataDir ?? options.env?.DATA_DIR ?? tempDir();
  const config = loadConfig({ DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0', ...options.env });
  const bot = await openBot(config, pino({ level: options.logLevel ?? 'silent' }), { assistant: options.assistant });
  const running = await startServer(bot, options.adapters ?? ADAPTERS, { port: 0, host: '127.0.0.1' });
  return Object.assign(running, { dataDir });
}
