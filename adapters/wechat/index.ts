// Placeholder until the wechat adapter lands.

import type { AdapterFactory } from '../../src/channels/channel.ts';

export const wechatAdapter: AdapterFactory = {
  name: 'wechat',
  create: () => ({ disabled: 'not built yet' }),
};
