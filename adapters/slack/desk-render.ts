// The agent desk's Slack messages, as Block Kit. Pure: no SDK calls, only its types.
// One message per escalation in the agent channel (its "card"): what the chat is about and
// buttons to take it over or close it; the card is re-rendered from the handoff as it is now
// whenever it changes, so an update is idempotent. Everything else goes into the card's
// thread: the user's messages, who took over (with Hand back / Close), how it ended.
//   Blocks: https://docs.slack.dev/reference/block-kit/blocks
//   chat.update replaces text and blocks: https://docs.slack.dev/reference/methods/chat.update

import type { types } from '@slack/bolt';
import type { Handoff, HandoffEvent, HandoffReason, TranscriptLine } from '../../src/handoff/types.ts';
import { escapedChunks, escapeMrkdwn, type SlackMessage } from './render.ts';

/** action_ids of the desk's buttons; each button's value is the handoff id. */
export const DESK_ACTIONS = { take: 'handoff_take', close: 'handoff_close', handBack: 'handoff_hand_back' } as const;
export type DeskActionName = keyof typeof DESK_ACTIONS;
export const DESK_ACTION_ID = /^handoff_(take|close|hand_back)$/;

/** How many of the last transcript lines the card shows (the service sends at most ten). */
export const CARD_LINES = 10;
/** One transcript line on the card is cut here; the full text is in the thread and the store. */
const CARD_LINE_LIMIT = 300;

const REASONS: Record<HandoffReason, string> = {
  human_agent: 'asked for a person',
  complaint: 'complaint',
  refusals: 'two questions the policy does not answer',
  identity_failed: 'contact given wrong twice in a form',
  topic: 'a topic that always goes to a person',
};

function clip(text: string, limit: number): string {
  const points = [...text.replace(/\s+/g, ' ').trim()];
  return points.length <= limit ? points.join('') : `${points.slice(0, limit - 1).join('')}…`;
}

/** `slack:U123` → a mention Slack renders as the person's name; other desks' agents by name. */
export function agentLabel(id: string | null, name: string | null): string {
  const slackUser = id ? /^slack:([A-Z0-9]+)$/.exec(id)?.[1] : undefined;
  if (slackUser) return `<@${slackUser}>`;
  return escapeMrkdwn(name ?? id ?? 'someone');
}

function status(handoff: Handoff): string {
  const owner = agentLabel(handoff.ownerId, handoff.ownerName);
  switch (handoff.state) {
    case 'waiting_agent':
      return ':hourglass_flowing_sand: *Waiting for an agent*';
    case 'agent':
      return `:speech_balloon: *Taken by ${owner}*: replies in the thread go to the user`;
    case 'bot':
      return handoff.ownerId ? `:robot_face: *Handed back to the bot* by ${owner}` : ':robot_face: *Back with the bot* (the user cancelled)';
    case 'closed':
      return ':white_check_mark: *Closed*';
  }
}

/** The state in plain words, for the notification text (no markup, no mentions). */
function plainStatus(handoff: Handoff): string {
  switch (handoff.state) {
    case 'waiting_agent':
      return 'waiting for an agent';
    case 'agent':
      return `taken by ${handoff.ownerName ?? 'an agent'}`;
    case 'bot':
      return 'back with the bot';
    case 'closed':
      return 'closed';
  }
}

function button(action: DeskActionName, label: string, handoffId: string, style?: 'primary' | 'danger'): types.Button {
  return { type: 'button', action_id: DESK_ACTIONS[action], text: { type: 'plain_text', text: label, emoji: true }, value: handoffId, ...(style && { style }) };
}

/**
 * The escalation card: tenant, the user's channel, why, the last messages (contacts already
 * masked by the core), the state, and the buttons the state allows (Take over and Close while
 * waiting, Close while owned, none once it ended).
 */
export function renderCard(handoff: Handoff, lastMessages: readonly TranscriptLine[], tenantName: string): SlackMessage {
  const title = `Chat from ${handoff.channel} (${tenantName}) needs a person: ${REASONS[handoff.reason]}`;
  const fields: types.MrkdwnElement[] = [
    { type: 'mrkdwn', text: `*Tenant*\n${escapeMrkdwn(tenantName)} (\`${escapeMrkdwn(handoff.tenant)}\`)` },
    { type: 'mrkdwn', text: `*Channel*\n${escapeMrkdwn(handoff.channel)}` },
    { type: 'mrkdwn', text: `*Reason*\n${REASONS[handoff.reason]}` },
    { type: 'mrkdwn', text: `*Language*\n${handoff.language}` },
  ];
  const lines = lastMessages.slice(-CARD_LINES).map((l) => `${l.direction === 'in' ? ':bust_in_silhouette: user' : ':robot_face: bot'}: ${clip(l.text, CARD_LINE_LIMIT)}`);
  const transcript: types.SectionBlock[] = lines.length > 0 ? escapedChunks(lines.join('\n')).map((text) => ({ type: 'section', text: { type: 'mrkdwn', text } })) : [];
  const buttons =
    handoff.state === 'waiting_agent'
      ? [button('take', 'Take over', handoff.id, 'primary'), button('close', 'Close', handoff.id, 'danger')]
      : handoff.state === 'agent'
        ? [button('close', 'Close', handoff.id, 'danger')]
        : [];
  const blocks: types.KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${escapeMrkdwn(title)}*` }, fields },
    ...(transcript.length > 0 ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: '*Last messages* (contacts masked)' }] } satisfies types.ContextBlock] : []),
    ...transcript,
    { type: 'section', text: { type: 'mrkdwn', text: status(handoff) } },
    ...(buttons.length > 0 ? [{ type: 'actions', block_id: `handoff:${handoff.id}`.slice(0, 255), elements: buttons } satisfies types.ActionsBlock] : []),
    { type: 'context', elements: [{ type: 'mrkdwn', text: `handoff \`${escapeMrkdwn(handoff.id)}\`` }] },
  ];
  return { text: escapeMrkdwn(`${title}: ${plainStatus(handoff)}`), blocks };
}

/** A message the user wrote while waiting or owned (contacts masked), posted in the card's thread. */
export function renderUserMessage(text: string): SlackMessage {
  const chunks = escapedChunks(text);
  return {
    text: escapeMrkdwn(`user: ${clip(text, 3000)}`),
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: ':bust_in_silhouette: *user*' }] },
      ...chunks.map((chunk): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: chunk } })),
    ],
  };
}

/**
 * What the thread is told when the handoff changed; null when the card update says it all.
 * The take-over notice carries the owner's buttons (Hand back, Close).
 */
export function renderThreadNotice(handoff: Handoff, event: HandoffEvent): SlackMessage | null {
  const owner = agentLabel(handoff.ownerId, handoff.ownerName);
  const note = event.note ? `: ${escapeMrkdwn(clip(event.note, 500))}` : '';
  switch (event.type) {
    case 'taken': {
      const text = `${owner} took over. Replies in this thread go to the user. Write \`handback: a note for the user\` (or press Hand back) to return the chat to the bot; \`handback cancel\` also cancels a paused form.`;
      return {
        text: `${owner} took over`,
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text } },
          { type: 'actions', elements: [button('handBack', 'Hand back', handoff.id, 'primary'), button('close', 'Close', handoff.id, 'danger')] },
        ],
      };
    }
    case 'handed_back':
      return notice(`:robot_face: ${owner} handed the chat back to the bot${note}`);
    case 'closed': {
      if (event.actor.startsWith('user:')) return notice(`:white_check_mark: The user left the handoff (${escapeMrkdwn(event.note ?? 'closed')})`);
      const closer = event.actor.replace(/^agent:/, '');
      return notice(`:white_check_mark: Closed by ${agentLabel(closer, closer === handoff.ownerId ? handoff.ownerName : null)}${note}`);
    }
    case 'timed_out':
      return notice(':alarm_clock: Nobody took the chat in time: the user was offered a follow-up ticket.');
    case 'delivery_failed':
      return notice(`:warning: A message could not reach the user${note}. They will be offered a ticket with their next message.`);
    default:
      return null;
  }
}

function notice(text: string): SlackMessage {
  return { text, blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text }] }] };
}

export type RefusalReason = 'not_agent' | 'not_found' | 'taken' | 'not_owner' | 'not_open' | 'take_first';

/** What an agent whose action was refused is told (an ephemeral message only they see). */
export function refusalText(reason: RefusalReason, ownerName?: string | null): string {
  const owner = escapeMrkdwn(ownerName ?? 'another agent');
  switch (reason) {
    case 'not_agent':
      return 'Only members of the agent channel (or the agent user group) can act on escalated chats.';
    case 'not_found':
      return 'This escalation is unknown to the bot.';
    case 'taken':
      return `${owner} has already taken this chat.`;
    case 'not_owner':
      return `Only the agent who owns this chat (${owner}) can do that; your message was not sent to the user.`;
    case 'not_open':
      return 'This chat is no longer open.';
    case 'take_first':
      return 'Press Take over first; your message was not sent to the user.';
  }
}
