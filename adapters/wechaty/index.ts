// Placeholder until the wechaty adapter lands.

import type { AdapterFactory } from '../../src/channels/channel.ts';

export const wechatyAdapter: AdapterFactory = {
  name: 'wechaty',
  create: () => ({ disabled: 'not built yet' }),
};
