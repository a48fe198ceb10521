// The WeChat Official Account (公众号) channel: GET/POST /wechat (and /wechat/<tenant> for the
// accounts of WECHAT_ACCOUNTS_FILE). See README.md for the set-up and the protocol notes.
//
// POST flow: verify (signature or msg_signature, timestamp window) -> decrypt (safe mode) ->
// parse (zod) -> dedupe (the core, by MsgId / event key) -> core -> reply. WeChat waits 5 s
// for the response and retries up to three times, so a reply that is ready within the budget
// (4.5 s) goes back as the passive XML reply; a later one is answered "success" and sent
// through the customer-service API. Redeliveries get "success" with nothing else.

import type { ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AdapterContext, AdapterFactory, ChannelAdapter, HttpRequest, Route } from '../../src/channels/channel.ts';
import type { InboundMessage, OutboundReply, TurnResult } from '../../src/conversation/types.ts';
import { DEFAULT_CLAIM_LEASE_MS } from '../../src/conversation/engine.ts';
import { BotError, isBotError } from '../../src/errors.ts';
import { sendText } from '../../src/server/server.ts';
import { DISABLED_HINT, resolveAccounts, type WechatAccount } from './accounts.ts';
import { WechatApi } from './api.ts';
import { encryptedReply, WechatCryptoError, type WechatCrypto } from './crypto.ts';
import { dedupeKey } from './message-id.ts';
import { renderTextReply } from './render.ts';
import { isMoreRequest, nextPage, PendingPages, sectionsOf, type Page } from './reply-pages.ts';
import { checkTimestamp, verifyMsgSignature, verifyPlainSignature } from './signature.ts';
import { ReplayGuard } from './replay.ts';
import { extractEncrypt, parseInbound, type WechatInbound, type WechatTextMessage } from './xml.ts';

const CHANNEL = 'wechat';
/** WeChat drops the connection after 5 s; half a second is left for the network. */
export const DEFAULT_REPLY_BUDGET_MS = 4500;
/**
 * The largest POST body accepted. WeChat's own are a few kilobytes: a compatible-mode message
 * of 2,000 Chinese characters (the core's limit) is about 15 KB with its encrypted copy.
 */
export const MAX_BODY_BYTES = 20 * 1024;
/** What the bot says to anything but text (image, voice, video, location, link). */
export const TEXT_ONLY_REPLY = '目前只能处理文字消息，请用文字提问。';
/** What a new follower's "subscribe" is answered as: a greeting, so the core says hello in its own words. */
const SUBSCRIBE_GREETING = '你好';
/** Store result of a message the adapter handled without the core; shaped like the core's. */
const HANDLED_BY_ADAPTER = { intent: 'other', ticketId: null } as const;

export interface WechatAdapterOptions {
  /** How long a passive reply may wait for the core before the answer goes through the customer-service API. */
  replyBudgetMs?: number;
  /** How long the rest of a long answer waits for "更多". */
  moreTtlMs?: number;
  /** The HTTP client for the WeChat API (tests may pass a fake). */
  fetch?: typeof fetch;
  /** The clock for the timestamp window and replies. */
  now?: () => Date;
}

/** Where a request came in and how its reply must go back. */
interface Exchange {
  account: Served;
  res: ServerResponse;
  message: WechatInbound;
  /** Set in safe and compatible mode: the reply is encrypted too. */
  crypto: WechatCrypto | null;
  nonce: string;
}

interface Served {
  account: WechatAccount;
  api: WechatApi | null;
  logger: Logger;
}

type Budgeted = { late: false; result: TurnResult } | { late: true };

class WechatChannel implements ChannelAdapter {
  readonly name = CHANNEL;
  private readonly served: Served[];
  private readonly pending: PendingPages;
  private readonly budgetMs: number;
  private readonly now: () => Date;
  private readonly replays: ReplayGuard;

  constructor(
    private readonly ctx: AdapterContext,
    accounts: WechatAccount[],
    options: WechatAdapterOptions,
  ) {
    this.budgetMs = options.replyBudgetMs ?? DEFAULT_REPLY_BUDGET_MS;
    this.now = options.now ?? (() => new Date());
    this.pending = new PendingPages(options.moreTtlMs);
    this.replays = new ReplayGuard(ctx.store, {
      maxClockSkewS: ctx.config.wechat.maxClockSkewS,
      now: this.now,
      onPurgeError: (err) => ctx.logger.warn({ err }, 'could not purge expired WeChat nonces'),
    });
    this.served = accounts.map((account) => {
      const logger = ctx.logger.child({ tenant: account.tenant, path: account.path });
      const api =
        account.appId && account.appSecret
          ? new WechatApi({ apiBase: ctx.config.wechat.apiBase, appId: account.appId, appSecret: account.appSecret, logger, fetch: options.fetch, now: () => this.now().getTime() })
          : null;
      if (!api) logger.warn('no AppID/AppSecret: answers that take longer than the passive-reply window cannot be delivered');
      logger.info({ mode: account.mode }, 'WeChat Official Account served');
      return { account, api, logger };
    });
  }

  routes(): Route[] {
    return this.served.flatMap((served): Route[] => [
      { method: 'GET', path: served.account.path, handle: (req, res) => this.verifyUrl(served, req, res) },
      { method: 'POST', path: served.account.path, maxBodyBytes: MAX_BODY_BYTES, handle: (req, res) => this.receive(served, req, res) },
    ]);
  }

  async stop(): Promise<void> {
    this.pending.clear();
  }

  /**
   * Sends replies to `wechat:<tenant>:<openid>` outside a request (the outbox: agents'
   * messages), through the customer-service API. Throws BotError 'recipient_unreachable'
   * when WeChat says the user is out of reach (45015: outside the 48-hour window), so the
   * outbox stops retrying; other failures are retried.
   */
  async send(conversationRef: string, replies: OutboundReply[]): Promise<void> {
    const match = /^wechat:([^:]+):([^:]+)$/.exec(conversationRef);
    const served = match ? this.served.find((s) => s.account.tenant === match[1]) : undefined;
    if (!match || !served) throw new BotError('invalid_input', `Not a conversation of a served WeChat account: ${conversationRef.split(':').slice(0, 2).join(':')}`);
    if (!served.api) throw new BotError('delivery_failed', 'Pushing to WeChat needs the customer-service API: set WECHAT_APPID and WECHAT_APPSECRET.');
    const content = this.firstPage(served.account, match[2]!, replies);
    if (content === null) return;
    await served.api.deliverText(match[2]!, content);
    this.ctx.metrics.sent(CHANNEL);
  }

  // Requests ------------------------------------------------------------------------------

  private reject(served: Served, res: ServerResponse, status: 400 | 401, reason: string): void {
    this.ctx.metrics.rejected(CHANNEL, reason);
    served.logger.warn({ reason, status }, 'WeChat request refused');
    sendText(res, status, status === 401 ? 'invalid signature' : 'bad request');
  }

  /** GET: the server-address check of the console (服务器配置): answer echostr when the signature holds. */
  private verifyUrl(served: Served, req: HttpRequest, res: ServerResponse): void {
    const q = req.query;
    const signature = q.get('signature');
    if (!signature) return this.reject(served, res, 401, 'missing_signature');
    if (!verifyPlainSignature({ token: served.account.token, timestamp: q.get('timestamp') ?? '', nonce: q.get('nonce') ?? '', signature })) {
      return this.reject(served, res, 401, 'bad_signature');
    }
    // No timestamp window here: echoing echostr has no effect a replay could repeat.
    const echostr = q.get('echostr');
    if (echostr === null) return this.reject(served, res, 400, 'missing_echostr');
    sendText(res, 200, echostr);
  }

  /** POST: a message or event. */
  private async receive(served: Served, req: HttpRequest, res: ServerResponse): Promise<void> {
    const { account } = served;
    const q = req.query;
    const timestamp = q.get('timestamp') ?? '';
    const nonce = q.get('nonce') ?? '';
    const body = req.body.toString('utf8');
    const fresh = () => checkTimestamp(timestamp, this.now(), this.ctx.config.wechat.maxClockSkewS);
    let xml: string;
    let crypto: WechatCrypto | null = null;

    if (q.get('encrypt_type')?.toLowerCase() === 'aes') {
      // Safe and compatible mode: msg_signature covers <Encrypt> only, so only the decrypted
      // message is trusted, never the plaintext copy compatible mode sends alongside. The
      // signature is checked before any XML is parsed: a forged request costs one scan.
      const signature = q.get('msg_signature');
      if (!signature) return this.reject(served, res, 401, 'missing_signature');
      const encrypt = extractEncrypt(body);
      if (encrypt === null) return this.reject(served, res, 400, 'missing_encrypt');
      if (!verifyMsgSignature({ token: account.token, timestamp, nonce, encrypt, msgSignature: signature })) {
        return this.reject(served, res, 401, 'bad_signature');
      }
      if (!fresh()) return this.reject(served, res, 401, 'stale_timestamp');
      if (!account.crypto) {
        served.logger.error('an encrypted message arrived but no EncodingAESKey is configured: set WECHAT_AES_KEY (or "aesKey" in WECHAT_ACCOUNTS_FILE)');
        return this.reject(served, res, 400, 'safe_mode_not_configured');
      }
      crypto = account.crypto;
      try {
        xml = crypto.decrypt(encrypt).message;
      } catch (error) {
        if (!(error instanceof WechatCryptoError)) throw error;
        served.logger.warn({ cryptoError: error.reason }, 'cannot decrypt a signed message');
        return this.reject(served, res, 400, 'decrypt_failed');
      }
    } else {
      // In compatible and safe mode the URL signature alone proves nothing about the body.
      if (account.mode !== 'plain') return this.reject(served, res, 401, 'msg_signature_required');
      const signature = q.get('signature');
      if (!signature) return this.reject(served, res, 401, 'missing_signature');
      if (!verifyPlainSignature({ token: account.token, timestamp, nonce, signature })) return this.reject(served, res, 401, 'bad_signature');
      if (!fresh()) return this.reject(served, res, 401, 'stale_timestamp');
      xml = body;
    }

    // A pair seen before (by any instance) with another message is a replay of a captured URL.
    if ((await this.replays.check(`${CHANNEL}:${account.tenant}`, timestamp, nonce, xml)) === 'conflict') {
      return this.reject(served, res, 401, 'replayed_nonce');
    }

    const parsed = parseInbound(xml);
    if (!parsed.ok) {
      if (parsed.error.code === 'unsupported_message') {
        // A new kind of message WeChat added: acknowledged, so the user is not told the account is broken.
        served.logger.debug({ error: parsed.error.message }, 'unsupported WeChat message acknowledged');
        return this.success(res);
      }
      return this.reject(served, res, 400, parsed.error.code);
    }
    const message = parsed.message;
    served.logger.debug({ openid: message.FromUserName, msgType: message.MsgType, event: message.MsgType === 'event' ? message.Event : undefined }, 'WeChat message');
    const exchange: Exchange = { account: served, res, message, crypto, nonce };

    switch (message.MsgType) {
      case 'text':
        return this.onText(exchange, message);
      case 'event': {
        const event = message.Event.toLowerCase();
        if (event === 'subscribe') return this.onTurn(exchange, { ...this.inbound(account, message, dedupeKey(message), SUBSCRIBE_GREETING), synthetic: true });
        if (event === 'unsubscribe') this.pending.delete(this.pendingKey(account, message.FromUserName));
        return this.success(res);
      }
      default:
        return this.onOtherMessage(exchange);
    }
  }

  private async onText(exchange: Exchange, message: WechatTextMessage): Promise<void> {
    const { account } = exchange.account;
    if (isMoreRequest(message.Content) && this.pending.get(this.pendingKey(account, message.FromUserName))) {
      return this.onMore(exchange, message);
    }
    return this.onTurn(exchange, this.inbound(account, message, message.MsgId, message.Content));
  }

  /** "更多" while the rest of an answer waits: the next page, without the core (but deduplicated like any message). */
  private async onMore(exchange: Exchange, message: WechatTextMessage): Promise<void> {
    const { account } = exchange.account;
    const { store } = this.ctx;
    const key = { channel: CHANNEL, tenant: account.tenant, messageId: message.MsgId };
    const claim = await store.claimMessage(key, this.now(), DEFAULT_CLAIM_LEASE_MS);
    if (claim.state !== 'claimed') return this.success(exchange.res);
    // Read again after the claim: another "更多" may have taken the last page meanwhile.
    const pendingKey = this.pendingKey(account, message.FromUserName);
    const rest = this.pending.get(pendingKey);
    if (!rest) {
      await store.releaseMessage(key);
      return this.onTurn(exchange, this.inbound(account, message, message.MsgId, message.Content));
    }
    const page = nextPage(rest);
    this.pending.set(pendingKey, page.rest);
    try {
      await store.finishMessage(key, HANDLED_BY_ADAPTER, this.now());
    } catch (error) {
      exchange.account.logger.error({ err: error }, 'could not record a "more" message as handled');
    }
    this.reply(exchange, page.content);
  }

  /** Image, voice, video, location, link: one polite text reply per message. */
  private async onOtherMessage(exchange: Exchange): Promise<void> {
    const { account } = exchange.account;
    const key = { channel: CHANNEL, tenant: account.tenant, messageId: dedupeKey(exchange.message) };
    const claim = await this.ctx.store.claimMessage(key, this.now(), DEFAULT_CLAIM_LEASE_MS);
    if (claim.state !== 'claimed') return this.success(exchange.res);
    await this.ctx.store.finishMessage(key, HANDLED_BY_ADAPTER, this.now());
    this.reply(exchange, TEXT_ONLY_REPLY);
  }

  /** Hands a message to the core; replies passively within the budget, else later through the API. */
  private async onTurn(exchange: Exchange, inbound: InboundMessage): Promise<void> {
    const served = exchange.account;
    const openId = exchange.message.FromUserName;
    const load = this.ctx.load();
    if (load === 'full') {
      // Not even a queue slot: no "success", so WeChat delivers the message again.
      this.ctx.metrics.rejected(CHANNEL, 'busy');
      return sendText(exchange.res, 503, 'busy');
    }
    if (load === 'busy') {
      // Past the cap on turns in flight: acknowledge now and answer through the
      // customer-service API once a slot frees, rather than time out (WeChat would redeliver).
      const queued = this.ctx.dispatch(inbound, { whenBusy: 'queue' });
      this.success(exchange.res);
      void this.ctx.track(
        queued
          .then((result) => this.deliverLater(served, openId, result))
          .catch((error: unknown) => served.logger.error({ err: error, code: isBotError(error) ? error.code : undefined }, 'a deferred WeChat turn failed')),
      );
      return;
    }
    const work = this.ctx.dispatch(inbound, { whenBusy: 'queue' });
    let outcome: Budgeted;
    try {
      outcome = await this.withinBudget(work);
    } catch (error) {
      served.logger.error({ err: error }, 'the core failed on a WeChat message');
      return this.success(exchange.res);
    }
    if (outcome.late) {
      this.success(exchange.res);
      void this.ctx.track(
        work
          .then(
            (result) => this.deliverLater(served, openId, result),
            (error: unknown) => served.logger.error({ err: error }, 'the core failed on a WeChat message'),
          )
          .catch((error: unknown) => served.logger.error({ err: error }, 'a late WeChat reply failed')),
      );
      return;
    }
    const { result } = outcome;
    if (result.duplicate) return this.success(exchange.res);
    const content = this.firstPage(served.account, openId, result.replies);
    if (content === null) return this.success(exchange.res);
    this.reply(exchange, content);
  }

  private async withinBudget(work: Promise<TurnResult>): Promise<Budgeted> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<Budgeted>((resolve) => {
      timer = setTimeout(() => resolve({ late: true }), this.budgetMs);
    });
    try {
      return await Promise.race([work.then((result): Budgeted => ({ late: false, result })), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends a turn's first page through the customer-service API (the passive-reply window has passed). */
  private async deliverLater(served: Served, openId: string, result: TurnResult): Promise<void> {
    if (result.duplicate) return;
    const content = this.firstPage(served.account, openId, result.replies);
    if (content === null) return;
    if (!served.api) {
      served.logger.warn('a reply was not delivered: set WECHAT_APPID and WECHAT_APPSECRET so late answers go through the customer-service API');
      return;
    }
    if (await served.api.sendText(openId, content)) this.ctx.metrics.sent(CHANNEL);
  }

  /** The first page of a turn's replies; keeps the rest for "更多" (or forgets an older rest). */
  private firstPage(account: WechatAccount, openId: string, replies: OutboundReply[]): string | null {
    const page: Page = nextPage(sectionsOf(replies));
    this.pending.set(this.pendingKey(account, openId), page.rest);
    return page.content === '' ? null : page.content;
  }

  // Helpers -------------------------------------------------------------------------------

  private inbound(account: WechatAccount, message: WechatInbound, messageId: string, text: string): InboundMessage {
    return {
      channel: CHANNEL,
      tenant: account.tenant,
      userRef: message.FromUserName,
      conversationRef: `${CHANNEL}:${account.tenant}:${message.FromUserName}`,
      messageId,
      text,
      time: new Date(message.CreateTime * 1000),
    };
  }

  private pendingKey(account: WechatAccount, openId: string): string {
    return `${account.path}\n${openId}`;
  }

  /** The passive reply: text XML, encrypted in safe and compatible mode. */
  private reply(exchange: Exchange, content: string): void {
    const { message, crypto } = exchange;
    const createTime = Math.floor(this.now().getTime() / 1000);
    let xml = renderTextReply({ toUser: message.FromUserName, fromUser: message.ToUserName, createTime, content });
    if (crypto) xml = encryptedReply(crypto, { xml, timestamp: createTime, nonce: exchange.nonce || randomBytes(8).toString('hex') });
    sendText(exchange.res, 200, xml, 'application/xml; charset=utf-8');
    this.ctx.metrics.sent(CHANNEL);
  }

  /** "success": WeChat's "received, no reply" (also valid in safe mode, unencrypted). */
  private success(res: ServerResponse): void {
    sendText(res, 200, 'success');
  }
}

/** The WeChat channel, with options for tests (a shorter reply budget, a fake clock or HTTP client). */
export function createWechatAdapter(options: WechatAdapterOptions = {}): AdapterFactory {
  return {
    name: CHANNEL,
    create(ctx) {
      const accounts = resolveAccounts(ctx.config, ctx.tenants);
      if (!accounts) return { disabled: DISABLED_HINT };
      return new WechatChannel(ctx, accounts, options);
    },
  };
}

export const wechatAdapter: AdapterFactory = createWechatAdapter();
