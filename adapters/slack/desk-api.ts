// The Web API calls the agent desk makes, behind a small interface so the desk never sees the
// SDK's objects or errors: every failure becomes a SlackDeliveryError with a short code
// (errors.ts), which the outbox retries with backoff.

import type { App } from '@slack/bolt';
import type { MemberLookups } from './agent-access.ts';
import { describeSlackError, SlackDeliveryError } from './errors.ts';
import type { SlackMessage } from './render.ts';

export interface SlackDeskApi extends MemberLookups {
  /** Posts a message (in a thread when `threadTs` is given); returns its ts. */
  post(channel: string, message: SlackMessage, threadTs?: string): Promise<string>;
  update(channel: string, ts: string, message: SlackMessage): Promise<void>;
  /** A message only `user` sees, in the channel (and thread). */
  postEphemeral(channel: string, user: string, text: string, threadTs?: string): Promise<void>;
}

async function call<T>(method: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new SlackDeliveryError(method, describeSlackError(error));
  }
}

export function slackDeskApi(client: App['client'], token: string): SlackDeskApi {
  return {
    async post(channel, message, threadTs) {
      const result = await call('chat.postMessage', () =>
        client.chat.postMessage({ token, channel, ...(threadTs && { thread_ts: threadTs }), text: message.text, blocks: message.blocks, unfurl_links: false, unfurl_media: false }),
      );
      if (!result.ts) throw new SlackDeliveryError('chat.postMessage', 'no_ts');
      return result.ts;
    },
    async update(channel, ts, message) {
      await call('chat.update', () => client.chat.update({ token, channel, ts, text: message.text, blocks: message.blocks }));
    },
    async postEphemeral(channel, user, text, threadTs) {
      await call('chat.postEphemeral', () => client.chat.postEphemeral({ token, channel, user, text, ...(threadTs && { thread_ts: threadTs }) }));
    },
    async channelMembers(channel) {
      const members: string[] = [];
      let cursor: string | undefined;
      // Pages of 200 (Slack's recommended maximum); the cursor is empty on the last page.
      for (let page = 0; page < 100; page++) {
        const result = await call('conversations.members', () => client.conversations.members({ token, channel, limit: 200, ...(cursor && { cursor }) }));
        members.push(...(result.members ?? []));
        cursor = result.response_metadata?.next_cursor || undefined;
        if (!cursor) break;
      }
      return members;
    },
    async usergroupUsers(usergroup) {
      const result = await call('usergroups.users.list', () => client.usergroups.users.list({ token, usergroup }));
      return result.users ?? [];
    },
  };
}
