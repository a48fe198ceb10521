// Every channel the server can run. Each one switches itself off (with one log line saying
// what to set) when its credentials are missing; the web chat needs none.
//
// The SDK-backed channels (Bolt for Slack, wechaty) are imported only when their credentials
// are set: importing them costs seconds of start-up and tens of MB that a server without
// them should not pay. The adapter modules keep their own complete checks.

import type { AdapterFactory } from '../src/channels/channel.ts';
import { agentConsoleAdapter } from './agent-console/index.ts';
import type { Config } from '../src/config.ts';
import { webAdapter } from './web/index.ts';
import { DISABLED_HINT } from './wechat/accounts.ts';

/** A factory that imports its module only when `off(config)` finds the credentials set. */
function lazy(name: string, off: (config: Config) => string | null, load: () => Promise<AdapterFactory>): AdapterFactory {
  return {
    name,
    async create(context) {
      const reason = off(context.config);
      if (reason !== null) return { disabled: reason };
      return (await load()).create(context);
    },
  };
}

export const wechatAdapter = lazy(
  'wechat',
  (c) => (c.wechat.token || c.wechat.accountsFile ? null : DISABLED_HINT),
  async () => (await import('./wechat/index.ts')).wechatAdapter,
);

export const slackAdapter = lazy(
  'slack',
  (c) => (c.slack.signingSecret && c.slack.botToken ? null : 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable Slack'),
  async () => (await import('./slack/index.ts')).slackAdapter,
);

export const wechatyAdapter = lazy(
  'wechaty',
  (c) => (c.wechaty.puppet ? null : 'set WECHATY_PUPPET (e.g. wechaty-puppet-service with WECHATY_PUPPET_TOKEN) to enable wechaty'),
  async () => (await import('./wechaty/index.ts')).wechatyAdapter,
);

export const ADAPTERS: AdapterFactory[] = [webAdapter, wechatAdapter, slackAdapter, wechatyAdapter, agentConsoleAdapter];
