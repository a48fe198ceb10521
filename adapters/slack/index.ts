// The Slack channel: a Bolt app whose receiver is a route on our shared server.
// Direct messages and mentions go to the core; replies go back into the thread with Block Kit,
// quick replies as buttons whose presses come back as the person's next message.
// Slack app settings it expects: Event Subscriptions and Interactivity both pointing at
// https://<host>/slack/events; bot events message.im and app_mention; scopes chat:write,
// im:history, app_mentions:read. With SLACK_AGENT_CHANNEL it is also the agent desk (desk.ts):
// events in that channel are agents' (never user turns), and its buttons act on handoffs; that
// needs the events message.channels / message.groups and the scopes channels:read +
// channels:history (groups:* for a private channel), usergroups:read with SLACK_AGENT_USERGROUP.
//
// verify.ts (signatures), parse.ts (payloads -> InboundMessage), render.ts (replies -> Block Kit)
// and retries.ts (redelivery policy) are pure; this file only wires them to Bolt.

import { App, type AuthorizeResult } from '@slack/bolt';
import type { AdapterContext, AdapterFactory, ChannelAdapter, Route } from '../../src/channels/channel.ts';
import type { OutboundReply, TurnResult } from '../../src/conversation/types.ts';
import { say } from '../../src/conversation/templates.ts';
import { BotError, isBotError } from '../../src/errors.ts';
import { AgentAccess } from './agent-access.ts';
import { SlackAgentDesk } from './desk.ts';
import { TICKET_ACTION_ID } from './ticket-card.ts';
import { SlackTicketDesk } from './ticket-desk.ts';
import { parseTicketPress } from './ticket-desk-parse.ts';
import { slackDeskApi } from './desk-api.ts';
import { isAgentChannelEvent, parseAgentMessage, parseDeskAction } from './desk-parse.ts';
import { DESK_ACTION_ID } from './desk-render.ts';
import { detectLanguage } from '../../src/knowledge/text.ts';
import { describeSlackError, SlackDeliveryError } from './errors.ts';
import { boltLogger } from './logger.ts';
import {
  CHANNEL_NAME,
  parseBlockAction,
  parseConversationRef,
  parseEventCallback,
  QUICK_REPLY_ACTION,
  type SlackThread,
  type TurnParse,
} from './parse.ts';
import { SharedServerReceiver } from './receiver.ts';
import { renderReply } from './render.ts';
import { AcceptedEvents, isRedundantRetry } from './retries.ts';

export interface SlackSettings {
  signingSecret: string;
  botToken: string;
  /** Web API base; null for Slack's own. */
  apiUrl: string | null;
  tenant: string;
  /** The agent desk's channel; null = no Slack desk. */
  agentChannel?: string | null;
  agentUsergroup?: string | null;
}

/** Bounded Web API retries: the SDK's default retries for about 30 minutes, which would hold a graceful shutdown that long. */
const CLIENT_RETRIES = { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2000 };
const CLIENT_TIMEOUT_MS = 10_000;

export const slackAdapter: AdapterFactory = {
  name: CHANNEL_NAME,
  create(context) {
    const { signingSecret, botToken, apiUrl, tenant: slackTenant, agentChannel, agentUsergroup } = context.config.slack;
    if (!signingSecret || !botToken) return { disabled: 'set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN to enable Slack' };
    const tenant = slackTenant ?? context.config.server.defaultTenant;
    const source = slackTenant ? 'SLACK_TENANT' : 'BOT_DEFAULT_TENANT';
    if (!tenant) {
      return { disabled: `set SLACK_TENANT (or BOT_DEFAULT_TENANT) to the tenant whose policy Slack users ask about (one of: ${context.tenants.join(', ')})` };
    }
    if (!context.tenants.includes(tenant)) {
      return { disabled: `${source} "${tenant}" is not a tenant of the knowledge base; set it to one of: ${context.tenants.join(', ')}` };
    }
    return new SlackChannel(context, { signingSecret, botToken, apiUrl, tenant, agentChannel, agentUsergroup });
  },
};

interface BotIdentity {
  botUserId?: string;
  botId?: string;
}

export class SlackChannel implements ChannelAdapter {
  readonly name = CHANNEL_NAME;
  private readonly app: App;
  private readonly receiver: SharedServerReceiver;
  private readonly accepted = new AcceptedEvents();
  private identity: Promise<BotIdentity> | null = null;
  /** The agent desk, when SLACK_AGENT_CHANNEL is set. */
  readonly desk: SlackAgentDesk | null = null;

  constructor(
    private readonly context: AdapterContext,
    private readonly settings: SlackSettings,
  ) {
    const { logger, metrics } = context;
    const agentChannel = settings.agentChannel ?? null;
    this.receiver = new SharedServerReceiver({
      signingSecret: settings.signingSecret,
      logger,
      metrics,
      // An agent's message is recorded before Slack gets its 200 (see receiver.ts).
      processBeforeResponse: (body) => agentChannel !== null && isAgentChannelEvent(body, agentChannel),
    });
    this.app = new App({
      receiver: this.receiver,
      authorize: () => this.authorize(),
      logger: boltLogger(logger),
      // Conversation state lives in our store, not in Bolt's in-memory one.
      convoStore: false,
      clientOptions: { slackApiUrl: settings.apiUrl ?? undefined, retryConfig: CLIENT_RETRIES, timeout: CLIENT_TIMEOUT_MS },
    });
    // Listeners catch their own failures; this sees Bolt's, and an agent's message the store
    // did not take, which is rethrown so the receiver answers 500 and Slack redelivers it.
    this.app.error(async (error) => {
      if (isBotError(error, 'storage_failed')) throw error;
      logger.error({ slackError: describeSlackError(error) }, 'slack: bolt error');
    });

    // Events are acknowledged by Bolt before this middleware runs; see retries.ts for the policy.
    this.app.use(async ({ body, context: boltContext, next }) => {
      const eventId = eventIdOf(body);
      const delivery = { retryNum: boltContext.retryNum, retryReason: boltContext.retryReason, eventId };
      if (isRedundantRetry(delivery, this.accepted)) {
        metrics.rejected(CHANNEL_NAME, 'retry');
        logger.info({ retryNum: delivery.retryNum, retryReason: delivery.retryReason }, 'slack: timeout retry of an accepted event dropped');
        return;
      }
      if (eventId) this.accepted.remember(eventId);
      await next();
    });

    if (agentChannel !== null) {
      const api = slackDeskApi(this.app.client, settings.botToken);
      const access = new AgentAccess({ agentChannel, agentUsergroup: settings.agentUsergroup ?? null, lookups: api });
      const desk = new SlackAgentDesk({ agentChannel, api, access, handoffs: context.engine.handoffs, store: context.store, logger, metrics, tenantNames: context.tenantNames });
      this.desk = desk;
      context.registerDesk(desk);
      const ticketDesk = new SlackTicketDesk({ agentChannel, api, access, tickets: context.engine.tickets, clock: () => new Date(), logger, tenantNames: context.tenantNames });
      context.registerTicketDesk(ticketDesk);
      this.app.action({ type: 'block_actions', action_id: TICKET_ACTION_ID }, async ({ ack, body }) => {
        const press = parseTicketPress(body);
        if (!press) {
          await ack();
          logger.debug('slack desk: ticket button payload skipped');
          return;
        }
        // Recorded first, acknowledged next, then the card update or the refusal.
        const done = await ticketDesk.press(press).catch((error: unknown) => {
          logger.error({ ticketId: press.ticketId, code: isBotError(error) ? error.code : 'unexpected' }, 'slack desk: ticket move failed');
          return null;
        });
        await ack();
        await done?.followUp();
      });
      this.app.action({ type: 'block_actions', action_id: DESK_ACTION_ID }, async ({ ack, body }) => {
        const press = parseDeskAction(body);
        if (!press) {
          await ack();
          logger.debug('slack desk: button payload skipped');
          return;
        }
        // Recorded first, acknowledged next (within the receiver's deadline), then the ephemeral note.
        const done = await desk.press(press).catch((error: unknown) => {
          logger.error({ handoffId: press.handoffId, code: isBotError(error) ? error.code : 'unexpected' }, 'slack desk: action failed');
          return null;
        });
        await ack();
        await done?.followUp();
      });
    }

    this.app.event('message', async ({ body, context: boltContext }) => {
      if (this.desk && agentChannel !== null && isAgentChannelEvent(body, agentChannel)) {
        const parsed = parseAgentMessage(body, { agentChannel, botUserId: boltContext.botUserId });
        if (!parsed.ok) return logger.debug({ reason: parsed.reason }, 'slack desk: agent channel event skipped');
        const done = await this.desk.agentMessage(parsed.message);
        await done.followUp();
        return;
      }
      await this.turn(parseEventCallback(body, { tenant: settings.tenant, botUserId: boltContext.botUserId }));
    });
    this.app.event('app_mention', async ({ body, context: boltContext }) => {
      // In the agent channel a mention is an agent's message, which the message event carries.
      if (agentChannel !== null && isAgentChannelEvent(body, agentChannel)) return;
      await this.turn(parseEventCallback(body, { tenant: settings.tenant, botUserId: boltContext.botUserId }));
    });
    this.app.action({ type: 'block_actions', action_id: QUICK_REPLY_ACTION }, async ({ ack, body }) => {
      await ack();
      await this.turn(parseBlockAction(body, { tenant: settings.tenant }));
    });
  }

  routes(): Route[] {
    return [this.receiver.route()];
  }

  /** Checks the token early (one log line if it is wrong) and caches the bot's ids. */
  async start(): Promise<void> {
    void this.botIdentity();
  }

  async stop(): Promise<void> {
    // In-flight requests and deliveries are awaited by the server; Bolt holds no connection.
  }

  async send(conversationRef: string, replies: OutboundReply[]): Promise<void> {
    const thread = parseConversationRef(conversationRef);
    if (!thread) throw new BotError('invalid_input', `Not a Slack conversation reference: "${conversationRef}" (expected slack:<channel> or slack:<channel>:<thread ts>).`);
    await this.context.track(this.deliver(thread, replies));
  }

  private async authorize(): Promise<AuthorizeResult> {
    return { botToken: this.settings.botToken, ...(await this.botIdentity()) };
  }

  /**
   * The bot's user id (to strip its mentions, ignore its own posts) from auth.test, asked once.
   * A failure is logged and asked again next time; messages are still handled meanwhile, since
   * parse.ts can also read the bot's id from the event's `authorizations`.
   */
  private botIdentity(): Promise<BotIdentity> {
    this.identity ??= this.app.client.auth.test({ token: this.settings.botToken }).then(
      (result): BotIdentity => ({ botUserId: result.user_id, botId: result.bot_id }),
      (error: unknown): BotIdentity => {
        this.identity = null;
        this.context.logger.warn({ slackError: describeSlackError(error) }, 'slack: auth.test failed; check SLACK_BOT_TOKEN (and SLACK_API_URL)');
        return {};
      },
    );
    return this.identity;
  }

  /** One user message: to the core, and its replies into the thread. Never throws. */
  private async turn(parsed: TurnParse): Promise<void> {
    const { logger } = this.context;
    if (!parsed.ok) {
      logger.debug({ reason: parsed.reason }, 'slack: payload skipped');
      return;
    }
    const { message, thread } = parsed.turn;
    let result: TurnResult;
    try {
      result = await this.context.dispatch(message);
    } catch (error) {
      if (isBotError(error, 'busy')) {
        // Nothing was handled: the person is asked to send it again in a moment.
        logger.warn({ conversation: message.conversationRef }, 'slack: busy, asked to retry');
        const busy: OutboundReply = { kind: 'error', text: say(detectLanguage(message.text), 'busy'), citations: [], quickReplies: [] };
        await this.deliver(thread, [busy]).catch(() => undefined);
        return;
      }
      logger.error({ conversation: message.conversationRef, code: isBotError(error) ? error.code : 'unexpected' }, 'slack: turn failed');
      return;
    }
    if (result.duplicate) return;
    try {
      await this.deliver(thread, result.replies);
    } catch (error) {
      const slackError = error instanceof SlackDeliveryError ? error.slackError : describeSlackError(error);
      logger.error({ conversation: message.conversationRef, slackError }, 'slack: reply not delivered');
    }
  }

  /** Posts the replies in order into the thread; stops at the first failure. */
  private async deliver(thread: SlackThread, replies: OutboundReply[]): Promise<void> {
    for (const reply of replies) {
      const message = renderReply(reply);
      if (!message) continue;
      try {
        await this.app.client.chat.postMessage({
          token: this.settings.botToken,
          channel: thread.channel,
          ...(thread.threadTs && { thread_ts: thread.threadTs }),
          text: message.text,
          blocks: message.blocks,
          unfurl_links: false,
          unfurl_media: false,
        });
      } catch (error) {
        throw new SlackDeliveryError('chat.postMessage', describeSlackError(error));
      }
      this.context.metrics.sent(CHANNEL_NAME);
    }
  }
}

function eventIdOf(body: unknown): string | undefined {
  const id = (body as { event_id?: unknown } | null)?.event_id;
  return typeof id === 'string' ? id : undefined;
}
