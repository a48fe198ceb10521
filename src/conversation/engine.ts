// The conversation core: one inbound message in, structured replies out. It recognises what
// the person wants, answers from the policy, walks them through a rights request and files
// the ticket. Channels only translate payloads; nothing here formats for a platform.
//
// Every turn is idempotent per message id (channels redeliver), serialised per conversation,
// and leaves its state in the store, so a restart in the middle of a form loses nothing.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { BotError, isBotError } from '../errors.ts';
import type { Answer, Citation } from '../answer/answerer.ts';
import { toCitation } from '../answer/answerer.ts';
import { findTenant, type Tenant } from '../knowledge/knowledge-base.ts';
import { cutCodePoints, detectLanguage, type Language } from '../knowledge/text.ts';
import type { PolicyAssistant } from '../policy-assistant.ts';
import { validateQuestion } from '../policy-assistant.ts';
import type { Store } from '../store/store.ts';
import type { TicketClause } from '../tickets/ticket.ts';
import { maskContact, maskContactsInText, parseContact, type ContactCipher } from '../tickets/contact.ts';
import { DEFAULT_TIME_ZONE } from '../tickets/calendar.ts';
import { dueDate, extractResponseDeadline } from '../tickets/deadline.ts';
import type { CodeSender } from '../tickets/code-senders.ts';
import { CLOSED_STATUSES, isOpen, TicketService, type TenantDeadline } from '../tickets/ticket-service.ts';
import { IdentityVerification } from '../tickets/verification.ts';
import { interpret, warmUp, type Interpretation } from './interpret/index.ts';
import { followUpTranscript, isFollowUpRequest, mentionsHandoffTopic, recentLines } from '../handoff/conversation-handoff.ts';
import { HandoffService, type BotResumer } from '../handoff/handoff-service.ts';
import type { Handoff, HandoffReason } from '../handoff/types.ts';
import { option, plain } from './reply.ts';
import { TicketDialogs, transcriptText, type TicketDialogState } from './ticket-dialogs.ts';
import { ticketNotice } from './ticket-notices.ts';
import { isWhatChangedQuestion } from './what-changed.ts';
import { hasTemplate, say } from './templates.ts';
import {
  InboundMessageSchema,
  type InboundMessage,
  type Intent,
  type OutboundReply,
  type QuickReply,
  type RequestType,
  type TicketType,
  type TurnResult,
  isRequestType,
} from './types.ts';

type SlotStep = 'scope' | 'details';
type Step = SlotStep | 'contact' | 'confirm';

/** What each request needs before it can be filed, in the order it is asked. */
const SLOTS: Record<TicketType, SlotStep[]> = {
  delete_data: ['scope'],
  access_data: ['scope'],
  correct_data: ['scope', 'details'],
  cancel_account: ['scope'],
  withdraw_consent: ['scope'],
  port_data: ['scope', 'details'],
  complaint: ['details'],
  human_agent: ['details'],
};

/** A form answer is kept to this many characters (code points, so an emoji is never halved). */
const MAX_FORM_ANSWER = 500;

/** Requests whose scope is usually "everything": offered as a quick reply. */
const ALL_DATA_OPTION: readonly TicketType[] = ['delete_data', 'access_data', 'port_data'];

export interface FormState {
  /** Unique per form: the ticket's idempotency key. */
  id?: string;
  type: TicketType;
  step: Step;
  /** Answers as shown back to the person, with any phone number or email masked. */
  slots: Partial<Record<SlotStep, string>>;
  /** The full answers that carried a phone number or email, sealed like the contact. */
  sealedSlots?: Partial<Record<SlotStep, string>>;
  /** The contact, sealed as soon as it is typed; only the masked form is ever shown. */
  contactEncrypted?: string;
  contactMasked?: string;
  invalidContacts: number;
  /** The policy clauses the request rests on (cited when the form started). */
  clauses: TicketClause[];
  startedAt: string;
  /** A follow-up ticket after a handoff no agent could serve: the handoff and the masked transcript it carries. */
  followUp?: { handoffId: string; transcript: string };
}

export interface ConversationState extends TicketDialogState {
  version: 1;
  language: Language;
  form: FormState | null;
  /** The handoff that paused this conversation; while it is open the bot stays silent. */
  handoffId: string | null;
  /** The bot just offered a person for this reason; a "转人工" in the next turn escalates with it. */
  handoffOffer: HandoffReason | null;
  /** Refused questions in a row (two make the bot offer a person). */
  refusals: number;
}

const FRESH_STATE: ConversationState = { version: 1, language: 'zh', form: null, handoffId: null, handoffOffer: null, refusals: 0 };

export interface EngineOptions {
  assistant: PolicyAssistant;
  store: Store;
  cipher: ContactCipher;
  logger: Logger;
  transcriptRetentionDays: number;
  /** Closed tickets keep their personal data this many days (default 1095). */
  ticketRetentionDays?: number;
  /** Where verification codes go, by contact kind; without one, an agent verifies. */
  codeSenders?: Partial<Record<'email' | 'mobile', CodeSender>>;
  /** Injected for tests; defaults to the wall clock. */
  clock?: () => Date;
  /**
   * How long a message's claim lasts without a heartbeat. A turn renews it every third of
   * this while it runs; a claim left by an instance that died expires this long after its
   * last heartbeat, and the channel's redelivery is then answered.
   */
  claimLeaseMs?: number;
  /** A person with this many open tickets of a tenant gets no new form until one closes (unset: no cap). */
  maxOpenTicketsPerRequester?: number;
  /** Starts calling `beat` every `everyMs` until the returned function is called (tests drive it by hand). */
  heartbeat?: (beat: () => Promise<void>, everyMs: number) => () => void;
  /** Minutes a chat waits for an agent before the user is offered a ticket instead (default 10). */
  handoffTakeTimeoutMinutes?: number;
}

/** A few seconds: WeChat redelivers for about 15 s after the first attempt. */
export const DEFAULT_CLAIM_LEASE_MS = 6000;

function intervalHeartbeat(beat: () => Promise<void>, everyMs: number): () => void {
  const timer = setInterval(() => void beat(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

interface Turn {
  message: InboundMessage;
  /** When this server received the message: retention counts from here, never from the channel's clock. */
  receivedAt: Date;
  tenant: Tenant;
  state: ConversationState;
  language: Language;
  replies: OutboundReply[];
  intent: Intent;
  ticketId?: string;
  /** What goes into the transcript for the inbound side (contacts masked). */
  transcriptIn: string;
  /** False when the turn erased the history: nothing of it may be written back. */
  keepHistory: boolean;
  /** What the previous turn offered a person for, if anything. */
  handoffOffer: HandoffReason | null;
}

/** Rows the retention purge deletes per statement. */
export const PURGE_BATCH_ROWS = 500;

/** Lets pending I/O (requests) run before the next batch. */
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));
/** What prompts need of a turn (a hand-back builds one outside any turn). */
type PromptContext = Pick<Turn, 'language' | 'tenant'>;

export class ConversationEngine {
  readonly tickets: TicketService;
  readonly verification: IdentityVerification;
  private readonly dialogs: TicketDialogs;
  readonly handoffs: HandoffService;
  private readonly deadlines = new Map<string, TenantDeadline>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly clock: () => Date;

  private current: PolicyAssistant;

  constructor(private readonly options: EngineOptions) {
    this.tickets = new TicketService(options.store, options.cipher);
    this.clock = options.clock ?? (() => new Date());
    warmUp();
    this.verification = new IdentityVerification({ store: options.store, cipher: options.cipher, senders: options.codeSenders ?? {}, clock: this.clock, logger: options.logger });
    const citation = (ref: TicketClause): Citation | null => {
      const { kb, policies } = this.assistant;
      const clause = kb.clauses.find((c) => c.policyId === ref.policyId && c.clauseId === ref.clauseId);
      return clause ? toCitation(clause, policies) : null;
    };
    this.dialogs = new TicketDialogs({ tickets: this.tickets, verification: this.verification, cipher: options.cipher, clock: this.clock, citation });
    // Every status change someone else makes is written with the requester's notification.
    this.tickets.setNotifier((ticket, event) => ticketNotice(ticket, event, { citation }));
    this.handoffs = new HandoffService({ store: options.store, logger: options.logger, clock: this.clock, takeTimeoutMinutes: options.handoffTakeTimeoutMinutes ?? 10 });
    this.handoffs.setResumer(this.resumer());
    this.current = options.assistant;
    this.readDeadlines(options.assistant);
  }

  /** The knowledge answers come from; replaced as a whole by `useAssistant`. */
  get assistant(): PolicyAssistant {
    return this.current;
  }

  /**
   * Switches to reloaded knowledge. One reference swap: a turn already answering keeps the
   * assistant it started with, the next turn gets the new one.
   */
  useAssistant(next: PolicyAssistant): void {
    this.readDeadlines(next);
    this.current = next;
  }

  private readDeadlines(assistant: PolicyAssistant): void {
    const { kb, policies } = assistant;
    this.deadlines.clear();
    for (const tenant of kb.tenants) {
      const policyIds = new Set(kb.policies.filter((p) => p.tenant === tenant.id).map((p) => p.id));
      const found = extractResponseDeadline(kb.clauses.filter((c) => policyIds.has(c.policyId)));
      this.deadlines.set(
        tenant.id,
        found
          ? { deadline: { days: found.days, unit: found.unit }, source: 'policy', clause: toCitation(found.clause, policies), timeZone: tenant.timeZone }
          : { deadline: { days: tenant.defaultResponseDays, unit: 'calendar' }, source: 'tenant_default', timeZone: tenant.timeZone },
      );
    }
  }

  /** The response time a tenant's requests get, and where it comes from. */
  deadlineOf(tenantId: string): TenantDeadline {
    const deadline = this.deadlines.get(findTenant(this.assistant.kb, tenantId).id);
    if (!deadline) throw new BotError('unknown_tenant', `Unknown tenant "${tenantId}".`);
    return deadline;
  }

  /** Where a tenant's days are counted (its due dates); the default zone for a tenant no longer known. */
  timeZoneOf(tenantId: string): string {
    return this.deadlines.get(tenantId)?.timeZone ?? DEFAULT_TIME_ZONE;
  }

  /** The due date a request filed now would get. */
  private dueToday(tenantId: string): string {
    const deadline = this.deadlineOf(tenantId);
    return dueDate(this.clock(), deadline.deadline, deadline.timeZone);
  }

  /**
   * Handles one inbound message. A message id seen before returns `duplicate: true` and no
   * replies; an unknown tenant or a malformed message throws a BotError (the channel's
   * configuration is wrong, not the person's input).
   */
  async handle(input: InboundMessage): Promise<TurnResult> {
    const parsed = InboundMessageSchema.safeParse(input);
    if (!parsed.success) throw new BotError('invalid_input', `Malformed inbound message: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const message = parsed.data;
    const tenant = findTenant(this.assistant.kb, message.tenant);
    const { store, logger } = this.options;
    const key = { channel: message.channel, tenant: tenant.id, messageId: message.messageId };
    const receivedAt = this.clock();
    const leaseMs = this.options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    // A token of this attempt: only it renews or releases the claim.
    const owner = randomUUID();
    const claim = await store.claimMessage(key, receivedAt, leaseMs, owner);
    if (claim.state !== 'claimed') {
      const previous = claim.state === 'done' ? (claim.result as { intent?: Intent; ticketId?: string } | null) : null;
      logger.info({ channel: message.channel, tenant: tenant.id, state: claim.state }, 'duplicate message ignored');
      return { replies: [], intent: previous?.intent ?? 'other', ticketId: previous?.ticketId, duplicate: true };
    }
    const started = performance.now();
    const stopHeartbeat = (this.options.heartbeat ?? intervalHeartbeat)(async () => {
      const kept = await store.renewClaim(key, owner, this.clock()).catch((err: unknown) => {
        logger.warn({ err, channel: message.channel, tenant: tenant.id }, 'claim heartbeat failed');
        return true;
      });
      if (!kept) logger.warn({ channel: message.channel, tenant: tenant.id }, 'claim lost to a redelivery while the turn ran');
    }, Math.max(1, Math.floor(leaseMs / 3)));
    const conversation = { tenant: tenant.id, channel: message.channel, conversationRef: message.conversationRef };
    try {
      // In arrival order within this process, then under the database's lock across instances.
      const result = await this.serialised(`${tenant.id}|${message.channel}|${message.conversationRef}`, () =>
        store.withConversationLock(conversation, async () => {
          // While this turn waited, its claim may have expired and the message been answered by
          // the instance that was only slow: then there is nothing left to do.
          if (!(await store.renewClaim(key, owner, this.clock()))) return null;
          const done = await this.turn(message, tenant, receivedAt);
          // Finished before the lock is let go: a redelivery that took the claim over while this
          // turn ran and now waits for the lock must find the message done, not answer it again.
          await store.finishMessage(key, { intent: done.intent, ticketId: done.ticketId ?? null }, this.clock());
          return done;
        }),
      );
      if (result === null) {
        logger.info({ channel: message.channel, tenant: tenant.id, state: 'taken_over' }, 'duplicate message ignored');
        return { replies: [], intent: 'other', duplicate: true };
      }
      logger.info(
        { channel: message.channel, tenant: tenant.id, intent: result.intent, replies: result.replies.map((r) => r.kind), ticketId: result.ticketId, ms: Math.round(performance.now() - started) },
        'turn',
      );
      return result;
    } catch (error) {
      // Let a redelivery try again, and give the person a safe reply instead of silence.
      await store.releaseMessage(key, owner).catch(() => undefined);
      logger.error({ err: error, channel: message.channel, tenant: tenant.id }, 'turn failed');
      const language = detectLanguage(message.text);
      return { replies: [plain('error', say(language, 'internalError'))], intent: 'other', duplicate: false };
    } finally {
      stopHeartbeat();
    }
  }

  /**
   * Deletes transcripts, idle conversations and message claims older than the retention,
   * expired verification codes, and the personal data of tickets closed longer than the
   * ticket retention (the records stay).
   */
  async purgeExpired(): Promise<{ messages: number; conversations: number; claims: number; tickets: number; codes: number }> {
    const now = this.clock();
    const { store } = this.options;
    const before = new Date(now.getTime() - this.options.transcriptRetentionDays * 86_400_000);
    const ticketsBefore = new Date(now.getTime() - (this.options.ticketRetentionDays ?? 1095) * 86_400_000);
    // Small batches, each its own short statement, with the event loop free between them:
    // a large backlog never holds the database or the process for long.
    const batch = PURGE_BATCH_ROWS;
    const purged = { messages: 0, conversations: 0, claims: 0, tickets: 0, codes: 0 };
    for (;;) {
      const step = await store.purgeBefore(before, batch);
      purged.messages += step.messages;
      purged.conversations += step.conversations;
      purged.claims += step.claims;
      if (step.messages < batch && step.conversations < batch && step.claims < batch) break;
      await yieldToRequests();
    }
    for (;;) {
      const step = await store.purgeClosedTickets(ticketsBefore, CLOSED_STATUSES, now, batch);
      purged.tickets += step;
      if (step < batch) break;
      await yieldToRequests();
    }
    purged.codes = await store.purgeVerificationCodes(new Date(now.getTime() - 86_400_000));
    this.options.logger.info({ ...purged, before: before.toISOString(), ticketsBefore: ticketsBefore.toISOString() }, 'retention purge');
    return purged;
  }

  /**
   * Runs the retention purge `firstAfterMs` after start (not during start-up) and then every
   * `intervalMs`, never two at once; returns a stop function.
   */
  startRetention(intervalMs = 3_600_000, firstAfterMs = 30_000): () => void {
    let running = false;
    const run = () => {
      if (running) return;
      running = true;
      void this.purgeExpired()
        .catch((err: unknown) => this.options.logger.error({ err }, 'retention purge failed'))
        .finally(() => (running = false));
    };
    const first = setTimeout(run, firstAfterMs);
    const timer = setInterval(run, intervalMs);
    first.unref();
    timer.unref();
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }

  private async serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    try {
      return await next;
    } finally {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    }
  }

  private async turn(message: InboundMessage, tenant: Tenant, receivedAt: Date): Promise<TurnResult> {
    const { store } = this.options;
    const record = await store.loadConversation(tenant.id, message.channel, message.conversationRef);
    const state = readState(record?.state);
    let text: string;
    try {
      text = validateQuestion(message.text);
    } catch (error) {
      if (!isBotError(error, 'invalid_input')) throw error;
      // Refused input is neither answered nor kept in the transcript.
      return { replies: [plain('error', error.message)], intent: 'other', duplicate: false };
    }
    const meaning = interpret(text, { inForm: state.form !== null, language: state.language });
    const turn: Turn = {
      message,
      receivedAt,
      tenant,
      state,
      language: meaning.language,
      replies: [],
      intent: 'other',
      // A code is a secret: it never reaches the transcript.
      transcriptIn: transcriptText(text, maskContactsInText),
      keepHistory: true,
      handoffOffer: state.handoffOffer,
    };
    state.language = turn.language;
    state.handoffOffer = null;
    if (!(await this.handoffTurn(turn, text, meaning))) await this.route(turn, text, meaning);
    if (turn.keepHistory) await this.persist(turn);
    return { replies: turn.replies, intent: turn.intent, ticketId: turn.ticketId, duplicate: false, language: turn.language };
  }

  private async route(turn: Turn, text: string, meaning: Interpretation): Promise<void> {
    if (meaning.erasesChatHistory) return this.eraseHistory(turn);
    // A ticket step waiting for an answer, or a filed ticket named or asked about
    // (meaning.followUp, from src/tickets/follow-up.ts), outranks topic words; a form in
    // progress then resumes.
    let handled = await this.dialogs.continuePending(turn, text);
    if (!handled && meaning.followUp) {
      await this.dialogs.followUp(turn, meaning.followUp);
      handled = true;
    }
    if (handled) {
      if (turn.state.form) turn.replies.push(this.resume(turn.state.form, turn));
      return;
    }
    if (mentionsHandoffTopic(text, turn.tenant.handoffTopics ?? [])) return this.escalate(turn, 'topic');
    if (turn.state.form) return this.continueForm(turn, text, turn.state.form, meaning);
    if (isWhatChangedQuestion(text)) return this.answerQuestion(Object.assign(turn, { intent: 'question' as const }), text, null);
    // A configured model may label what the rules were unsure of; a close call between a form
    // and something else is still asked about.
    const intent = meaning.clarify ? meaning.intent : await this.options.assistant.refineIntent(text, meaning);
    turn.intent = intent;
    // Too close to call between a form and something else: ask, start nothing.
    if (meaning.clarify) return this.clarify(turn, meaning.clarify, meaning.right);
    if (isRequestType(intent)) return this.startForm(turn, intent);
    switch (intent) {
      case 'question':
        return this.answerQuestion(turn, text, meaning.right);
      case 'request_status':
        return this.dialogs.showStatus(turn);
      case 'human_agent':
        return this.escalate(turn, turn.handoffOffer ?? 'human_agent');
      case 'greeting':
        if (meaning.social === 'thanks' || meaning.social === 'bye') {
          turn.replies.push(plain('greeting', say(turn.language, meaning.social)));
          return;
        }
        turn.replies.push(plain('greeting', say(turn.language, 'greeting', { tenant: turn.tenant.name }), this.menu(turn.language)));
        return;
      case 'other':
        if (meaning.service) {
          const topic = say(turn.language, `service.${meaning.service}`);
          turn.replies.push(plain('info', say(turn.language, 'serviceElsewhere', { tenant: turn.tenant.name, topic }), [option(say(turn.language, 'option.example'))]));
          return;
        }
        // A question the classifier cannot place still deserves the policy's answer (or an
        // honest "the policy does not say"), not a menu.
        if (meaning.asks) return this.answerQuestion(turn, text, meaning.right);
        turn.replies.push(plain('info', say(turn.language, 'other', { tenant: turn.tenant.name }), this.menu(turn.language)));
        return;
    }
  }

  /** Asks which of two readings is meant, with one quick reply for each. */
  private clarify(turn: Turn, readings: [Intent, Intent], right: RequestType | null): void {
    const { language } = turn;
    const about = right ?? readings.find(isRequestType) ?? 'delete_data';
    const choice = (reading: Intent): QuickReply => {
      const type = isRequestType(reading) ? reading : about;
      const short = say(language, `short.${type}`);
      return isRequestType(reading)
        ? { label: say(language, 'clarify.request', { request: short }), value: say(language, `option.start.${type}`) }
        : { label: say(language, 'clarify.question', { request: short }), value: say(language, `policyQuery.${type}`) };
    };
    // Knowing the rules first, acting second: the order the person reads the choices in.
    const ordered = [...readings].sort((x, y) => Number(y === 'question') - Number(x === 'question'));
    const [a, b] = ordered.map(choice) as [QuickReply, QuickReply];
    turn.replies.push(plain('info', say(language, 'clarify', { a: a.label, b: b.label }), [a, b]));
  }

  private menu(language: Language): QuickReply[] {
    return [
      option(say(language, 'option.example')),
      { label: say(language, 'option.startLabel', { request: say(language, 'request.delete_data') }), value: say(language, 'option.start.delete_data') },
      option(say(language, 'option.status')),
      option(say(language, 'option.human')),
    ];
  }

  // Questions ------------------------------------------------------------------------------

  /** Answers from the policy; when the question is about a right, offers to file it. */
  private async answerQuestion(turn: Turn, text: string, right: RequestType | null): Promise<void> {
    const answer = await this.assistant.ask(turn.tenant.id, text);
    turn.replies.push(answerReply(answer));
    turn.state.refusals = answer.answerable ? 0 : turn.state.refusals + 1;
    if (turn.state.refusals >= 2) {
      turn.state.handoffOffer = 'refusals';
      turn.replies.push(plain('handoff', say(turn.language, 'handoffOfferAfterRefusals'), [option(say(turn.language, 'option.human'))]));
      return;
    }
    if (right) {
      const request = say(turn.language, `request.${right}`);
      turn.replies.push(
        plain('info', say(turn.language, 'offerRequest', { request }), [
          { label: say(turn.language, 'option.startLabel', { request }), value: say(turn.language, `option.start.${right}`) },
        ]),
      );
    }
  }

  // Rights-request forms -------------------------------------------------------------------

  private async startForm(turn: Turn, type: RequestType): Promise<void> {
    const { language, tenant } = turn;
    const cap = this.options.maxOpenTicketsPerRequester;
    if (cap !== undefined) {
      const { message } = turn;
      const open = (await this.tickets.list({ tenant: tenant.id, requester: { channel: message.channel, userRef: message.userRef } })).filter((t) => isOpen(t.status));
      if (open.length >= cap) {
        turn.replies.push(plain('info', say(language, 'tooManyOpenTickets', { count: open.length }), [option(say(language, 'option.status'))]));
        return;
      }
    }
    const request = say(language, `request.${type}`);
    let answer = await this.assistant.ask(tenant.id, say(language, `policyQuery.${type}`));
    // An English request about a Chinese-only policy: look the right up in Chinese too.
    if (!answer.answerable && language === 'en') answer = await this.assistant.ask(tenant.id, say('zh', `policyQuery.${type}`));
    const citations: Citation[] = answer.answerable ? [...answer.citations] : [];
    const lines: string[] = [];
    if (answer.answerable) {
      lines.push(say(language, 'formIntro', { request, tenant: tenant.name }));
      answer.statements.forEach((s) => lines.push(`${s.text} [${s.citation}]`));
    } else {
      lines.push(say(language, 'formNoPolicy', { tenant: tenant.name }));
    }
    const deadline = this.deadlineOf(tenant.id);
    const due = dueDate(this.clock(), deadline.deadline, deadline.timeZone);
    const { days, unit } = deadline.deadline;
    if (deadline.source === 'policy' && deadline.clause) {
      const clause = deadline.clause;
      let n = citations.findIndex((c) => c.clauseId === clause.clauseId && c.policyId === clause.policyId) + 1;
      if (n === 0) n = citations.push(clause);
      lines.push(`${say(language, 'deadlinePolicy', { days, unit: say(language, `unit.${unit}`), due })} [${n}]`);
    } else {
      lines.push(say(language, 'deadlineDefault', { tenant: tenant.name, days, due }));
    }
    turn.replies.push({ kind: 'answer', text: lines.join('\n'), citations, quickReplies: [] });
    const form: FormState = {
      id: randomUUID(),
      type,
      step: SLOTS[type][0] ?? 'contact',
      slots: {},
      invalidContacts: 0,
      clauses: citations.map(ticketClause),
      startedAt: this.clock().toISOString(),
    };
    turn.state.form = form;
    // A complaint is filed like any request (it has a deadline), and a person is offered beside it.
    if (type === 'complaint') turn.replies.push(plain('handoff', say(language, 'handoffOfferComplaint')));
    turn.replies.push(this.prompt(form, turn));
  }

  /** The question for the form's current step, with the quick replies that fit it. */
  private prompt(form: FormState, turn: PromptContext): OutboundReply {
    const { language } = turn;
    const cancel = option(say(language, 'option.cancel'));
    switch (form.step) {
      case 'scope':
      case 'details': {
        const options = form.step === 'scope' && ALL_DATA_OPTION.includes(form.type) ? [option(say(language, 'option.allData'))] : [];
        if (form.type === 'complaint' && !form.followUp) options.push(option(say(language, 'option.human')));
        return plain('form', say(language, `ask.${form.step}.${form.type}`), [...options, cancel]);
      }
      case 'contact':
        return plain('form', say(language, 'ask.contact'), [cancel]);
      case 'confirm':
        return plain('form', this.summary(form, turn), [option(say(language, 'option.confirm')), cancel]);
    }
  }

  private summary(form: FormState, turn: PromptContext): string {
    const { language } = turn;
    const specific = (slot: SlotStep) => `label.${slot}.${form.type}`;
    const label = (slot: SlotStep) => say(language, hasTemplate(language, specific(slot)) ? specific(slot) : `label.${slot}`);
    const colon = language === 'zh' ? '：' : ': ';
    const lines = SLOTS[form.type].map((slot) => `${label(slot)}${colon}${form.slots[slot] ?? ''}`);
    lines.push(`${say(language, 'label.contact')}${colon}${form.contactMasked ?? ''}`);
    lines.push(`${say(language, 'label.due')}${colon}${this.dueToday(turn.tenant.id)}`);
    return say(language, 'summary', { request: say(language, `request.${form.type}`), lines: lines.join('\n') });
  }

  private async continueForm(turn: Turn, text: string, form: FormState, meaning: Interpretation): Promise<void> {
    const { language } = turn;
    turn.intent = form.type;
    if (meaning.form.cancel || (form.step === 'confirm' && meaning.form.decline)) {
      turn.state.form = null;
      turn.replies.push(plain('info', say(language, 'formCancelled'), [option(say(language, 'option.example'))]));
      return;
    }
    // Something other than an answer to the current step: serve it, then resume the form.
    // Offline only: a form answer may be a contact or an ID number, which no model should see.
    const { intent } = meaning;
    const isContactLike = form.step === 'contact' && parseContact(text) !== null;
    if (!isContactLike && !(form.step === 'confirm' && meaning.form.confirm)) {
      if (intent === 'human_agent') {
        // The form waits paused while a person helps; a hand-back resumes or cancels it.
        const reason: HandoffReason = form.invalidContacts >= 2 ? 'identity_failed' : form.type === 'complaint' ? 'complaint' : 'human_agent';
        return this.escalate(turn, reason);
      }
      if ((intent === 'question' && meaning.asks) || intent === 'request_status') {
        turn.intent = intent;
        if (intent === 'question') await this.answerQuestion(turn, text, null);
        else await this.dialogs.showStatus(turn);
        turn.replies.push(this.resume(form, turn));
        return;
      }
    }
    switch (form.step) {
      case 'scope':
      case 'details': {
        if (intent === 'greeting') {
          turn.replies.push(this.resume(form, turn));
          return;
        }
        const answer = cutCodePoints(text, MAX_FORM_ANSWER);
        const masked = maskContactsInText(answer);
        form.slots[form.step] = masked;
        if (masked !== answer) (form.sealedSlots ??= {})[form.step] = this.options.cipher.sealText(answer);
        form.step = nextStep(form);
        turn.replies.push(this.prompt(form, turn));
        return;
      }
      case 'contact':
        return this.takeContact(turn, text, form);
      case 'confirm':
        if (meaning.form.confirm) return this.fileTicket(turn, form);
        turn.replies.push(plain('form', say(language, 'confirmUnclear'), [option(say(language, 'option.confirm')), option(say(language, 'option.cancel'))]));
        return;
    }
  }

  private resume(form: FormState, turn: PromptContext): OutboundReply {
    const { language } = turn;
    const prompt = this.prompt(form, turn);
    return { ...prompt, text: `${say(language, 'formResume', { request: say(language, `request.${form.type}`) })}\n${prompt.text}` };
  }

  private takeContact(turn: Turn, text: string, form: FormState): void {
    const { language } = turn;
    const contact = parseContact(text);
    if (contact) {
      form.contactEncrypted = this.options.cipher.encrypt(contact);
      form.contactMasked = maskContact(contact);
      form.step = 'confirm';
      turn.replies.push(this.prompt(form, turn));
      return;
    }
    // Re-ask at most twice, then stop and offer a person rather than loop.
    form.invalidContacts += 1;
    const cancel = option(say(language, 'option.cancel'));
    if (form.invalidContacts === 1) turn.replies.push(plain('form', say(language, 'contactInvalid'), [cancel]));
    else if (form.invalidContacts === 2) turn.replies.push(plain('form', say(language, 'contactInvalidLast'), [option(say(language, 'option.human')), cancel]));
    else {
      turn.state.form = null;
      turn.state.handoffOffer = 'identity_failed';
      turn.replies.push(plain('info', say(language, 'contactGiveUp'), [option(say(language, 'option.human'))]));
    }
  }

  private async fileTicket(turn: Turn, form: FormState): Promise<void> {
    const { message, tenant, language } = turn;
    if (!form.contactEncrypted) {
      form.step = 'contact';
      turn.replies.push(this.prompt(form, turn));
      return;
    }
    const deadline = this.deadlineOf(tenant.id);
    // Details as shown (contacts masked), plus sealed originals under "<slot>.sealed".
    const details: Record<string, string> = {};
    for (const [slot, value] of Object.entries(form.slots)) if (value) details[slot] = value;
    for (const [slot, sealed] of Object.entries(form.sealedSlots ?? {})) if (sealed) details[`${slot}.sealed`] = sealed;
    if (form.followUp) {
      details.handoff = form.followUp.handoffId;
      details.transcript = form.followUp.transcript;
    }
    const contact = this.options.cipher.decrypt(form.contactEncrypted);
    const { ticket, created } = await this.tickets.create({
      type: form.type,
      tenant: tenant.id,
      channel: message.channel,
      requester: message.userRef,
      conversationRef: message.conversationRef,
      contact,
      details,
      clauses: form.clauses,
      deadline,
      language,
      // One ticket per form, whichever message confirms it (two "确认" with two message ids
      // file once); forms saved before forms had ids keep the per-message key.
      originKey: form.id ? `${message.channel}|${tenant.id}|form:${form.id}` : `${message.channel}|${tenant.id}|${message.messageId}`,
      at: this.clock(),
    });
    turn.state.form = null;
    turn.ticketId = ticket.id;
    let text = say(language, 'ticketCreated', { id: ticket.id, due: ticket.dueDate, contact: ticket.contactMasked });
    if (ticket.deadlineSource === 'tenant_default') text += `\n${say(language, 'ticketDefaultDeadline', { tenant: tenant.name, days: deadline.deadline.days })}`;
    turn.replies.push(plain('ticket', text, created ? [] : [option(say(language, 'option.status'))]));
    if (created) await this.dialogs.afterFiled(turn, ticket, contact);
  }

  // Tickets, handoff, history -----------------------------------------------------------------

  // Handoff to a person (rules in src/handoff/) ------------------------------------------------

  /** Asks for a person; a form in progress stays paused until the chat comes back to the bot. */
  private async escalate(turn: Turn, reason: HandoffReason): Promise<void> {
    const { message, tenant, language, state } = turn;
    turn.intent = 'human_agent';
    const conversation = { tenant: tenant.id, channel: message.channel, conversationRef: message.conversationRef };
    const result = await this.handoffs.escalate({
      ...conversation,
      tenant,
      userRef: message.userRef,
      language,
      reason,
      lastMessages: await recentLines(this.options.store, conversation, { direction: 'in', text: turn.transcriptIn, at: turn.receivedAt }),
    });
    turn.replies.push(...result.replies);
    if (result.status === 'outside_hours') {
      if (state.form) turn.replies.push(this.resume(state.form, turn));
      return;
    }
    state.handoffId = result.handoff.id;
    if (state.form && result.status === 'waiting') turn.replies.push(plain('handoff', say(language, 'handoffFormPaused', { request: say(language, `request.${state.form.type}`) })));
  }

  /**
   * While a handoff is open the bot stays silent: the message goes to the agents, and "取消"
   * while waiting returns to the bot. Afterwards, "登记工单" starts the follow-up ticket the
   * user was offered. Returns false when the bot should handle the message itself.
   */
  private async handoffTurn(turn: Turn, text: string, meaning: Interpretation): Promise<boolean> {
    const { message, tenant, state } = turn;
    const open = await this.handoffs.openFor(tenant.id, message.channel, message.conversationRef);
    if (!open) {
      if (state.handoffId) {
        // It ended while the user was away (timed out): a form it paused is dropped.
        state.handoffId = null;
        state.form = null;
      }
      if (!isFollowUpRequest(text)) return false;
      const latest = await this.options.store.latestHandoff(tenant.id, message.channel, message.conversationRef);
      if (!latest || (latest.state !== 'closed' && !latest.userUnreachable)) return false;
      await this.startFollowUp(turn, latest);
      return true;
    }
    turn.intent = 'human_agent';
    state.handoffId = open.id;
    // "登记工单" (offered after an undeliverable agent message) leaves for a follow-up ticket at any time.
    const cancelling = open.state === 'waiting_agent' && meaning.form.cancel;
    const leaving = cancelling || isFollowUpRequest(text);
    if (leaving && (await this.handoffs.leave(open, cancelling ? 'cancelled_by_user' : 'follow_up_ticket'))) {
      state.handoffId = null;
      if (isFollowUpRequest(text)) {
        state.form = null;
        await this.startFollowUp(turn, open);
        return true;
      }
      turn.replies.push(plain('handoff', say(turn.language, 'handoffCancelled')));
      if (state.form) turn.replies.push(this.resume(state.form, turn));
      return true;
    }
    const relayed = await this.handoffs.relayFromUser(open, { messageId: message.messageId, text: turn.transcriptIn });
    turn.replies.push(...relayed.replies);
    return true;
  }

  /** The follow-up ticket a person owes the user: a short form carrying the masked transcript. */
  private async startFollowUp(turn: Turn, handoff: Handoff): Promise<void> {
    const { message, tenant, language } = turn;
    turn.intent = 'human_agent';
    const lines = await recentLines(this.options.store, { tenant: tenant.id, channel: message.channel, conversationRef: message.conversationRef }, null, 30);
    const form: FormState = {
      type: handoff.reason === 'complaint' ? 'complaint' : 'human_agent',
      step: 'details',
      slots: {},
      invalidContacts: 0,
      clauses: [],
      startedAt: this.clock().toISOString(),
      followUp: { handoffId: handoff.id, transcript: followUpTranscript(lines) },
    };
    turn.state.form = form;
    turn.replies.push(plain('info', say(language, 'followUpIntro')), this.prompt(form, turn));
  }

  /** The engine's side of a hand-back or close: resume or cancel a paused form, and unpause. */
  private resumer(): BotResumer {
    return {
      prepare: async (handoff, resumeForm) => {
        const { store } = this.options;
        const tenant = findTenant(this.assistant.kb, handoff.tenant);
        const record = await store.loadConversation(handoff.tenant, handoff.channel, handoff.conversationRef);
        const form = readState(record?.state).form;
        const ctx: PromptContext = { language: handoff.language, tenant };
        const replies: OutboundReply[] = [];
        if (form && resumeForm) replies.push(this.resume(form, ctx));
        else if (form) replies.push(plain('info', say(handoff.language, 'handoffFormCancelled', { request: say(handoff.language, `request.${form.type}`) })));
        const commit = () =>
          this.serialised(`${handoff.tenant}|${handoff.channel}|${handoff.conversationRef}`, async () => {
            const latest = await store.loadConversation(handoff.tenant, handoff.channel, handoff.conversationRef);
            if (!latest) return;
            const state = readState(latest.state);
            state.handoffId = null;
            if (!resumeForm) state.form = null;
            await store.saveConversation({ ...latest, state, updatedAt: this.clock() });
          });
        return { replies, commit };
      },
    };
  }

  private async eraseHistory(turn: Turn): Promise<void> {
    const { message, tenant, language } = turn;
    turn.intent = 'delete_data';
    const erased = await this.options.store.eraseUserHistory(tenant.id, message.channel, message.userRef);
    turn.keepHistory = false;
    turn.replies.push(plain('info', say(language, 'historyErased', { messages: erased.messages })));
  }

  private async persist(turn: Turn): Promise<void> {
    const { store } = this.options;
    const { message, tenant } = turn;
    const at = this.clock();
    const base = { tenant: tenant.id, channel: message.channel, conversationRef: message.conversationRef, userRef: message.userRef };
    // Both directions are stamped by this server's clock: a channel's timestamp (message.time)
    // may be skewed, replayed or from a test fixture, and retention must not depend on it.
    await store.appendTranscript([
      ...(message.synthetic ? [] : [{ ...base, direction: 'in' as const, text: turn.transcriptIn, at: turn.receivedAt }]),
      ...turn.replies.map((r) => ({ ...base, direction: 'out' as const, text: maskContactsInText(r.text), at, ...(r.citations.length > 0 && { citations: r.citations }) })),
    ]);
    await store.saveConversation({ ...base, state: turn.state, updatedAt: at });
  }
}

function readState(value: unknown): ConversationState {
  if (value && typeof value === 'object' && (value as { version?: unknown }).version === 1) {
    return { ...FRESH_STATE, ...(value as ConversationState) };
  }
  return { ...FRESH_STATE };
}

function nextStep(form: FormState): Step {
  const slots = SLOTS[form.type];
  const i = slots.indexOf(form.step as SlotStep);
  return slots[i + 1] ?? 'contact';
}



/** The answer's statements for a chat reply; the citations travel separately for the channel to render. */
function answerReply(answer: Answer): OutboundReply {
  const body = answer.answer.split('\n\n')[0] ?? answer.answer;
  return { kind: answer.answerable ? 'answer' : 'refusal', text: body, citations: answer.citations, quickReplies: [] };
}

function ticketClause(c: Citation): TicketClause {
  return { policyId: c.policyId, clauseId: c.clauseId, number: c.number, title: c.title };
}
