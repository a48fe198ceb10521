// Placeholder until the web adapter lands.

import type { AdapterFactory } from '../../src/channels/channel.ts';

export const webAdapter: AdapterFactory = {
  name: 'web',
  create: () => ({ disabled: 'not built yet' }),
};
