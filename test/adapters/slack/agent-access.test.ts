// Who may act on the desk: channel members and user-group members, cached briefly, failing closed.

import { describe, expect, it } from 'vitest';
import { AgentAccess, type MemberLookups } from '../../../adapters/slack/agent-access.ts';

function lookups(channel: string[], group: string[] = []) {
  const calls: string[] = [];
  const state = { channel, group, fail: false };
  const api: MemberLookups = {
    async channelMembers(id) {
      calls.push(`channel:${id}`);
      if (state.fail) throw new Error('ratelimited');
      return state.channel;
    },
    async usergroupUsers(id) {
      calls.push(`group:${id}`);
      return state.group;
    },
  };
  return { api, calls, state };
}

describe('AgentAccess', () => {
  it('lets channel members and user-group members act, nobody else', async () => {
    const { api } = lookups(['UALICE'], ['UCAROL']);
    const access = new AgentAccess({ agentChannel: 'C1', agentUsergroup: 'S1', lookups: api, now: () => 0 });
    expect(await access.isAgent('UALICE')).toBe(true);
    expect(await access.isAgent('UCAROL')).toBe(true);
    expect(await access.isAgent('UMALLORY')).toBe(false);
  });

  it('asks no user group when none is configured', async () => {
    const { api, calls } = lookups(['UALICE'], ['UCAROL']);
    const access = new AgentAccess({ agentChannel: 'C1', agentUsergroup: null, lookups: api, now: () => 0 });
    expect(await access.isAgent('UCAROL')).toBe(false);
    expect(calls).toEqual(['channel:C1']);
  });

  it('caches the lists for a minute, then asks again (a removed member loses access)', async () => {
    const { api, calls, state } = lookups(['UALICE']);
    let now = 0;
    const access = new AgentAccess({ agentChannel: 'C1', agentUsergroup: null, lookups: api, now: () => now });
    await Promise.all([access.isAgent('UALICE'), access.isAgent('UBOB')]);
    now = 59_999;
    expect(await access.isAgent('UALICE')).toBe(true);
    expect(calls).toHaveLength(1);
    state.channel = [];
    now = 60_000;
    expect(await access.isAgent('UALICE')).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('fails closed and asks again after a failed lookup', async () => {
    const { api, calls, state } = lookups(['UALICE']);
    const access = new AgentAccess({ agentChannel: 'C1', agentUsergroup: null, lookups: api, now: () => 0 });
    state.fail = true;
    await expect(access.isAgent('UALICE')).rejects.toThrow('ratelimited');
    state.fail = false;
    expect(await access.isAgent('UALICE')).toBe(true);
    expect(calls).toHaveLength(2);
  });
});
