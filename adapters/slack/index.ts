// Placeholder until the slack adapter lands.

import type { AdapterFactory } from '../../src/channels/channel.ts';

export const slackAdapter: AdapterFactory = {
  name: 'slack',
  create: () => ({ disabled: 'not built yet' }),
};
