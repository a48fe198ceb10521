// The contract every channel adapter passes: a real delivery through the channel's own
// protocol produces a cited reply, a redelivery produces nothing more, a forged delivery is
// refused with no effect, and a rights request runs as a form. Each adapter's test file
// builds a harness (server + fake platform API) and calls describeChannelContract.

import { describe, expect, it } from 'vitest';

export interface ChannelHarness {
  /** Channel name, as in InboundMessage.channel. */
  name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Delivers a user's text message through the channel's real protocol (signed, encrypted, ...). */
  deliver(message: { user: string; text: string; id: string }): Promise<void>;
  /** The reply texts the user has received so far, once at least `count` have arrived (or the timeout passed). */
  replies(user: string, count: number, timeoutMs?: number): Promise<string[]>;
  /** Delivers a message whose signature (or sender proof) is forged; returns the HTTP status. Absent for channels without signatures. */
  deliverForged?(message: { user: string; text: string; id: string }): Promise<number>;
}

let sequence = 0;
const nextId = () => `${Date.now()}${String(++sequence).padStart(4, '0')}`;

export function describeChannelContract(harness: ChannelHarness): void {
  describe(`${harness.name}: channel contract`, () => {
    it('answers a question with the policy’s words and a citation', async () => {
      const user = `contract-q-${nextId()}`;
      await harness.deliver({ user, text: '你们收集哪些个人信息？', id: nextId() });
      const replies = await harness.replies(user, 1);
      expect(replies.length).toBeGreaterThanOrEqual(1);
      const text = replies.join('\n');
      expect(text).toMatch(/《[^》]+》|依据/);
      expect(text).toContain('个人信息');
    });

    it('replies once to a redelivered message', async () => {
      const user = `contract-dup-${nextId()}`;
      const id = nextId();
      await harness.deliver({ user, text: '你好', id });
      const first = await harness.replies(user, 1);
      await harness.deliver({ user, text: '你好', id });
      await harness.deliver({ user, text: '你好', id });
      // Give a wrongly duplicated reply the time to arrive before counting.
      const after = await harness.replies(user, first.length + 1, 1500);
      expect(after).toHaveLength(first.length);
    });

    it('walks a rights request as a form', async () => {
      const user = `contract-form-${nextId()}`;
      await harness.deliver({ user, text: '我要删除我的个人信息', id: nextId() });
      // A channel may post the policy's words and the form's question as two messages, one
      // after the other: wait for the question, not just for the first message.
      await expect.poll(async () => (await harness.replies(user, 1)).join('\n'), { timeout: 10_000 }).toMatch(/删除哪些个人信息/);
    });

    if (harness.deliverForged) {
      it('refuses a forged delivery and does nothing with it', async () => {
        const user = `contract-forged-${nextId()}`;
        const status = await harness.deliverForged!({ user, text: '你好', id: nextId() });
        expect([401, 403]).toContain(status);
        expect(await harness.replies(user, 1, 800)).toEqual([]);
      });
    }
  });
}
