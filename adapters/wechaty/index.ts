// The wechaty channel: a personal or WeCom WeChat account driven through a wechaty puppet
// (WECHATY_PUPPET, e.g. wechaty-puppet-service with WECHATY_PUPPET_TOKEN). Unlike the
// webhook channels it runs a long-lived client: start() starts the bot without waiting for
// the QR-code login, and every message event goes through the core here.
//
// What reaches the core: one-to-one text messages, and group messages that @-mention the
// bot (mention stripped). The bot's own messages are ignored (its replies come back as
// message events). Non-text messages get one polite text reply per message id.
// Wechaty API: https://wechaty.js.org/docs/api/message

import { join } from 'node:path';
import type { Logger } from 'pino';
import { qrcodeValueToImageUrl, ScanStatus, types, WechatyBuilder } from 'wechaty';
import type { Contact, Message, OfficialPuppetNpmName, Room, Wechaty, WechatyOptions } from 'wechaty';
import type { AdapterContext, AdapterFactory, ChannelAdapter } from '../../src/channels/channel.ts';
import { DEFAULT_CLAIM_LEASE_MS } from '../../src/conversation/engine.ts';
import { cutCodePoints } from '../../src/knowledge/text.ts';
import type { OutboundReply } from '../../src/conversation/types.ts';
import { BotError } from '../../src/errors.ts';
import { contactRef, parseConversationRef, roomRef } from './conversation-ref.ts';
import { QuickReplyMemory, renderReplies } from './render.ts';

export const CHANNEL = 'wechaty';

/** What a person gets for a picture, voice message, file, ... (once per message). */
export const TEXT_ONLY_REPLY = '目前只能处理文字消息，请用文字描述您的问题。';

/** A puppet instance (tests pass a PuppetMock); the configured puppet name is used otherwise. */
export type PuppetInstance = Exclude<NonNullable<WechatyOptions['puppet']>, string>;

export interface WechatyAdapterOptions {
  puppet?: PuppetInstance;
}

export interface WechatyChannelAdapter extends ChannelAdapter {
  readonly bot: Wechaty;
  /** Settles once bot.start() has finished (not on login: that waits for a QR scan). */
  readonly started: Promise<void>;
}

// Content a person sent on purpose; system notices (recalls, group notes, unknown) get no reply.
const NON_TEXT_CONTENT = new Set<types.Message>([
  types.Message.Attachment,
  types.Message.Audio,
  types.Message.Contact,
  types.Message.ChatHistory,
  types.Message.Emoticon,
  types.Message.Image,
  types.Message.Location,
  types.Message.MiniProgram,
  types.Message.Url,
  types.Message.Video,
]);

/** The tenant this account answers for: WECHATY_TENANT, else BOT_DEFAULT_TENANT, else the only one. */
function chooseTenant(context: AdapterContext): string {
  const { config, tenants } = context;
  const source = config.wechaty.tenant ? 'WECHATY_TENANT' : config.server.defaultTenant ? 'BOT_DEFAULT_TENANT' : null;
  const tenant = config.wechaty.tenant ?? config.server.defaultTenant ?? (tenants.length === 1 ? tenants[0] : undefined);
  if (!tenant) {
    throw new BotError('invalid_config', `set WECHATY_TENANT (one of: ${tenants.join(', ')}) to choose whose privacy policy the wechaty account answers for`);
  }
  if (!tenants.includes(tenant)) {
    throw new BotError('invalid_config', `${source ?? 'WECHATY_TENANT'}="${tenant}" is not a tenant of the knowledge base; use one of: ${tenants.join(', ')}`);
  }
  return tenant;
}

/**
 * Errors as log fields: name and message only (no payloads that could carry what a person
 * wrote), with the puppet token blanked should a puppet ever echo it.
 */
function errorFields(error: unknown, token: string | null): { err: { type: string; message: string } } {
  const e = error instanceof Error ? error : new Error(String(error));
  const message = token ? e.message.split(token).join('***') : e.message;
  return { err: { type: e.name, message: cutCodePoints(message, 300) } };
}

export function createWechatyAdapter(options: WechatyAdapterOptions = {}): AdapterFactory {
  return {
    name: CHANNEL,
    create(context) {
      const { config } = context;
      if (!config.wechaty.puppet) return { disabled: 'set WECHATY_PUPPET (e.g. wechaty-puppet-service with WECHATY_PUPPET_TOKEN) to enable wechaty' };
      const tenant = chooseTenant(context);
      const logger = context.logger.child({ tenant });
      // The memory card keeps the login session across restarts, next to the other data.
      const name = join(config.dataDir, 'wechaty');
      const bot = options.puppet
        ? WechatyBuilder.build({ name, puppet: options.puppet })
        : WechatyBuilder.build({
            name,
            // Any puppet package name works at run time; the type only lists the official ones.
            puppet: config.wechaty.puppet as OfficialPuppetNpmName,
            puppetOptions: config.wechaty.puppetToken ? { token: config.wechaty.puppetToken } : {},
          });
      return new WechatyChannel(bot, tenant, context, logger);
    },
  };
}

export const wechatyAdapter: AdapterFactory = createWechatyAdapter({});

class WechatyChannel implements WechatyChannelAdapter {
  readonly name = CHANNEL;
  private readonly quickReplies = new QuickReplyMemory();
  private readonly inFlight = new Set<Promise<void>>();
  /** Per-conversation chains, so replies leave in the order the messages came. */
  private readonly queues = new Map<string, Promise<void>>();
  private stopping = false;
  private startWork: Promise<void> | null = null;
  private resolveStarted!: () => void;
  readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));

  constructor(
    readonly bot: Wechaty,
    private readonly tenant: string,
    private readonly context: AdapterContext,
    private readonly logger: Logger,
  ) {
    // An 'error' event without a listener would throw and end the process.
    bot.on('error', (error) => logger.warn(this.errorFields(error), 'wechaty error'));
    bot.on('scan', (qrcode: string, status: ScanStatus) => {
      const waiting = status === ScanStatus.Waiting || status === ScanStatus.Timeout;
      logger.info(
        { status: ScanStatus[status], ...(waiting && qrcode ? { qrcodeImageUrl: qrcodeValueToImageUrl(qrcode) } : {}) },
        waiting ? 'wechaty: scan the QR code to log in' : 'wechaty: login scan',
      );
    });
    bot.on('login', () => logger.info('wechaty logged in'));
    bot.on('logout', () => logger.warn('wechaty logged out: scan the QR code again to log in'));
    bot.on('message', (message: Message) => this.accept(message));
  }

  private errorFields(error: unknown) {
    return errorFields(error, this.context.config.wechaty.puppetToken);
  }

  async start(): Promise<void> {
    // Not awaited: a puppet may take a while to connect, and the login waits for a person to
    // scan a QR code; the server must not wait for either.
    this.startWork ??= this.bot.start().then(
      () => this.logger.info({ puppet: this.context.config.wechaty.puppet }, 'wechaty started'),
      (error: unknown) => this.logger.error(this.errorFields(error), 'wechaty failed to start'),
    );
    void this.startWork.finally(() => this.resolveStarted());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.startWork;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    if (!this.startWork) return;
    try {
      await this.bot.stop();
      this.logger.info('wechaty stopped');
    } catch (error) {
      this.logger.warn(this.errorFields(error), 'wechaty did not stop cleanly');
    }
  }

  async send(conversationRef: string, replies: OutboundReply[]): Promise<void> {
    const target = parseConversationRef(conversationRef);
    if (!target) throw new BotError('invalid_input', `"${conversationRef}" is not a wechaty conversation reference`);
    const rendered = renderReplies(replies);
    if (rendered.text === '') return;
    let delivered: Promise<unknown>;
    if (target.kind === 'room') {
      const room = await this.bot.Room.find({ id: target.roomId });
      // Gone (left, dissolved, deleted): no retry brings it back, so the outbox stops at once.
      if (!room) throw new BotError('recipient_unreachable', `wechaty room ${target.roomId} not found`);
      const talker = await this.bot.Contact.find({ id: target.talkerId });
      delivered = this.say(room, talker, rendered.text);
    } else {
      const contact = await this.bot.Contact.find({ id: target.contactId });
      if (!contact) throw new BotError('recipient_unreachable', `wechaty contact ${target.contactId} not found`);
      delivered = this.say(undefined, contact, rendered.text);
    }
    try {
      await delivered;
    } catch (error) {
      // Keep SDK errors out of the core: the caller sees ours, with the cause attached.
      throw new BotError('delivery_failed', `wechaty could not deliver to ${conversationRef}`, { cause: error });
    }
    this.quickReplies.remember(conversationRef, rendered.options);
  }

  /** Every message event: filtered synchronously where possible, then queued per conversation. */
  private accept(message: Message): void {
    if (this.stopping) return;
    let conversationRef: string;
    let room: Room | undefined;
    let talker: Contact;
    try {
      if (message.self()) return;
      room = message.room();
      talker = message.talker();
      conversationRef = room ? roomRef(room.id, talker.id) : contactRef(talker.id);
    } catch (error) {
      this.logger.warn(this.errorFields(error), 'wechaty message unreadable');
      return;
    }
    const previous = this.queues.get(conversationRef) ?? Promise.resolve();
    const work = previous
      .then(() => this.handle(message, room, talker, conversationRef))
      .catch((error: unknown) => this.logger.error({ ...this.errorFields(error), conversation: conversationRef }, 'wechaty message failed'));
    this.queues.set(conversationRef, work);
    this.inFlight.add(work);
    void this.context.track(work).finally(() => {
      this.inFlight.delete(work);
      if (this.queues.get(conversationRef) === work) this.queues.delete(conversationRef);
    });
  }

  private async handle(message: Message, room: Room | undefined, talker: Contact, conversationRef: string): Promise<void> {
    const type = message.type();
    if (type !== types.Message.Text) {
      // In a group only @-mentions are for the bot, and a picture cannot mention anyone.
      if (!room && NON_TEXT_CONTENT.has(type)) await this.replyTextOnly(message, talker);
      return;
    }
    if (room && !(await message.mentionSelf())) return;
    const said = room ? await message.mentionText() : message.text();
    const result = await this.context.dispatch({
      channel: CHANNEL,
      tenant: this.tenant,
      userRef: talker.id,
      conversationRef,
      messageId: message.id,
      text: this.quickReplies.resolve(conversationRef, said),
      time: validDate(message.date()),
    });
    if (result.duplicate) return;
    const rendered = renderReplies(result.replies, result.language);
    this.quickReplies.remember(conversationRef, rendered.options);
    if (rendered.text !== '') await this.say(room, talker, rendered.text);
  }

  /** The text-only notice, claimed in the store like any message so a redelivery gets nothing. */
  private async replyTextOnly(message: Message, talker: Contact): Promise<void> {
    const { store } = this.context;
    const key = { channel: CHANNEL, tenant: this.tenant, messageId: message.id };
    const claim = await store.claimMessage(key, new Date(), DEFAULT_CLAIM_LEASE_MS);
    if (claim.state !== 'claimed') return;
    try {
      await this.say(undefined, talker, TEXT_ONLY_REPLY);
      await store.finishMessage(key, { intent: 'other' }, new Date());
    } catch (error) {
      await store.releaseMessage(key).catch(() => undefined);
      throw error;
    }
  }

  /** In a group the reply goes to the group, @-mentioning the person it answers. */
  private async say(room: Room | undefined, talker: Contact | undefined, text: string): Promise<void> {
    if (room) await (talker ? room.say(text, talker) : room.say(text));
    else if (talker) await talker.say(text);
    else return;
    this.context.metrics.sent(CHANNEL);
  }
}

function validDate(date: Date): Date {
  return Number.isNaN(date.getTime()) ? new Date() : date;
}
