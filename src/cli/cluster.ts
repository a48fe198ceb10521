// `privacy-bot cluster --instances N` (npm run cluster): N server processes sharing one port
// through node:cluster, for trying several instances on one machine. In production run the
// instances behind any HTTP load balancer instead (README "Several instances").

import cluster from 'node:cluster';
import type { Config } from '../config.ts';
import { BotError } from '../errors.ts';
import { PolicyAssistant } from '../policy-assistant.ts';
import { loadEncryptionKey } from '../tickets/encryption-key.ts';

export async function runCluster(config: Config, instances: number, options: { port?: number } = {}): Promise<void> {
  if (cluster.isWorker) {
    const { serve } = await import('./serve.ts');
    await serve(config, options);
    return new Promise<never>(() => undefined);
  }
  if (instances > 1 && !config.databaseUrl) {
    throw new BotError(
      'invalid_config',
      'several instances share conversations, claims and tickets through PostgreSQL: set DATABASE_URL=postgres://... (and the same BOT_ENCRYPTION_KEY for every instance), or use --instances 1',
    );
  }
  // The key file and the index are made once here, so the workers do not race to create them.
  loadEncryptionKey(config);
  await PolicyAssistant.open(config);

  let stopping = false;
  const restarts: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`privacy-bot cluster: instance ${worker.process.pid} exited (${signal ?? code}); starting another`);
    // A worker that keeps dying (bad configuration) should not be restarted in a tight loop.
    restarts.push(performance.now());
    while (restarts.length > 0 && performance.now() - restarts[0]! > 60_000) restarts.shift();
    if (restarts.length > 5 * instances) {
      console.error('privacy-bot cluster: instances keep exiting; stopping');
      process.exit(1);
    }
    cluster.fork();
  });
  for (let i = 0; i < instances; i++) cluster.fork();
  console.error(`privacy-bot cluster: ${instances} instance(s), primary ${process.pid}`);

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    let left = workers.length;
    if (left === 0) process.exit(0);
    for (const worker of workers) {
      worker.once('exit', () => {
        if (--left === 0) process.exit(0);
      });
      worker.process.kill('SIGTERM');
    }
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  await new Promise<never>(() => undefined);
}
