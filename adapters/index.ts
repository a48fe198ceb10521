// Every channel the server can run. Each one switches itself off (with one log line saying
// what to set) when its credentials are missing; the web chat needs none.

import type { AdapterFactory } from '../src/channels/channel.ts';
import { agentConsoleAdapter } from './agent-console/index.ts';
import { slackAdapter } from './slack/index.ts';
import { webAdapter } from './web/index.ts';
import { wechatAdapter } from './wechat/index.ts';
import { wechatyAdapter } from './wechaty/index.ts';

export const ADAPTERS: AdapterFactory[] = [webAdapter, wechatAdapter, slackAdapter, wechatyAdapter, agentConsoleAdapter];
