// SLACK_AGENT_CHANNEL / SLACK_AGENT_USERGROUP: validated at start, with how to fix them.

import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.ts';

const app = { SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1' };

describe('Slack agent desk configuration', () => {
  it('reads the channel and the user group', () => {
    expect(loadConfig({ ...app, SLACK_AGENT_CHANNEL: 'C0AGENTS01', SLACK_AGENT_USERGROUP: 'S0SUPPORT1' }).slack).toMatchObject({ agentChannel: 'C0AGENTS01', agentUsergroup: 'S0SUPPORT1' });
    expect(loadConfig({ ...app, SLACK_AGENT_CHANNEL: 'G0PRIVATE1' }).slack).toMatchObject({ agentChannel: 'G0PRIVATE1', agentUsergroup: null });
    expect(loadConfig({}).slack).toMatchObject({ agentChannel: null, agentUsergroup: null });
  });

  it.each([
    [{ ...app, SLACK_AGENT_CHANNEL: '#privacy-agents' }, /SLACK_AGENT_CHANNEL is a channel id such as C0123ABCD/],
    [{ ...app, SLACK_AGENT_CHANNEL: 'D0DIRECT01' }, /SLACK_AGENT_CHANNEL is a channel id/],
    [{ SLACK_AGENT_CHANNEL: 'C0AGENTS01' }, /set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN too/],
    [{ ...app, SLACK_AGENT_USERGROUP: 'S0SUPPORT1' }, /set SLACK_AGENT_CHANNEL too/],
    [{ ...app, SLACK_AGENT_CHANNEL: 'C0AGENTS01', SLACK_AGENT_USERGROUP: '@support' }, /user group id such as S0123ABCD/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});
