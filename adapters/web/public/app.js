// The web chat page. Plain browser JavaScript, no build step and nothing from the network but
// this server's own API. Every piece of text from the person or the bot goes into the page
// through textContent, never as HTML.

// The session is the server's HttpOnly cookie: this script never sees or chooses it.
const API = { tenants: 'api/web/tenants', messages: 'api/web/messages', session: 'api/web/session', history: 'api/web/history', events: 'api/web/events' };
const STORAGE = { tenant: 'privacy-bot.web.tenant' };
const REQUEST_TIMEOUT_MS = 30_000;

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const messages = $('messages');
const chat = /** @type {HTMLElement} */ (messages.parentElement);
const typing = $('typing');
const form = /** @type {HTMLFormElement} */ ($('composer'));
const input = /** @type {HTMLInputElement} */ ($('input'));
const sendButton = /** @type {HTMLButtonElement} */ ($('send'));
const tenantSelect = /** @type {HTMLSelectElement} */ ($('tenant'));
const newChatButton = /** @type {HTMLButtonElement} */ ($('new-chat'));

// Storage may be unavailable (private browsing, blocked cookies): fall back to memory.
const memory = new Map();
const store = {
  get(key) {
    try {
      return window.localStorage.getItem(key);
    } catch {
      return memory.get(key) ?? null;
    }
  },
  set(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch {
      memory.set(key, value);
    }
  },
};

// crypto.randomUUID() exists only on https and localhost; getRandomValues works everywhere.
// Page chrome in the conversation's language: the browser's at first, then the language of
// what the person last wrote (the bot answers in that language too).
const CHROME = {
  zh: {
    title: '隐私政策问答', company: '公司', newChat: '新对话', placeholder: '输入您的问题…', send: '发送', typing: '正在回复…',
    intro: '您好！我会根据所选公司的隐私政策回答您的问题，并注明出处（点开引用可查看原文），例如“你们收集哪些个人信息？”。也可以帮您提交查阅、删除个人信息等申请。',
    sendFailed: '发送失败，请重试', retry: '重试', newChatNote: '已开始新对话 (New chat)', switched: '已切换到 {name}',
  },
  en: {
    title: 'Privacy Policy Assistant', company: 'Company', newChat: 'New chat', placeholder: 'Type your question…', send: 'Send', typing: 'Replying…',
    intro: 'Hello! I answer questions from the selected company\'s privacy policy and cite the clauses (open a citation to read it), e.g. "What personal information do you collect?". I can also file requests to see or delete your data.',
    sendFailed: 'Could not send; please try again', retry: 'Retry', newChatNote: 'New chat started', switched: 'Switched to {name}',
  },
};
let language = /^zh/i.test(navigator.language || 'zh') ? 'zh' : 'en';

function t(key, vars = {}) {
  return CHROME[language][key].replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

/** Chinese when the text has Chinese characters and no more English words than them. */
function languageOf(text) {
  const cjk = (text.match(/[\u3400-\u9fff]/g) ?? []).length;
  const words = (text.match(/[A-Za-z]{2,}/g) ?? []).length;
  return cjk >= 2 && cjk >= words ? 'zh' : words > 0 ? 'en' : language;
}

function applyLanguage(next) {
  language = next;
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  document.querySelector('.bar-title').textContent = t('title');
  document.querySelector('.tenant-label').textContent = t('company');
  newChatButton.textContent = t('newChat');
  input.placeholder = t('placeholder');
  sendButton.textContent = t('send');
  typing.querySelector('.visually-hidden').textContent = t('typing');
  messages.querySelector('.intro .text').textContent = t('intro');
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function randomId(length) {
  const bytes = new Uint8Array(length);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ALPHABET[b & 63]).join('');
}

let pending = false;

// Building blocks ---------------------------------------------------------------------------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function scrollToEnd() {
  chat.scrollTop = chat.scrollHeight;
}

function append(item) {
  messages.append(item);
  scrollToEnd();
  return item;
}

function addUserMessage(text) {
  const item = el('li', 'message user');
  const bubble = el('div', 'bubble');
  bubble.append(el('p', 'text', text));
  item.append(bubble);
  return append(item);
}

function addNote(text) {
  const item = el('li', 'message note');
  item.append(el('p', 'text', text));
  return append(item);
}

function citationChip(citation, index) {
  const item = el('li');
  const details = el('details', 'citation');
  const summary = el('summary');
  summary.append(el('span', 'citation-index', `[${index + 1}]`), el('span', 'citation-label', citation.label));
  const quote = el('blockquote', 'citation-text');
  if (citation.title && !citation.text.startsWith(citation.title)) quote.append(el('span', 'citation-title', citation.title));
  quote.append(document.createTextNode(citation.text));
  details.append(summary, quote);
  item.append(details);
  return item;
}

function addBotReply(reply) {
  const item = el('li', `message bot kind-${String(reply.kind).replace(/[^a-z_]/g, '')}`);
  const bubble = el('div', 'bubble');
  bubble.append(el('p', 'text', reply.text));
  if (reply.citations.length > 0) {
    const list = el('ol', 'citations');
    list.setAttribute('aria-label', '引用 (Sources)');
    reply.citations.forEach((c, i) => list.append(citationChip(c, i)));
    bubble.append(list);
  }
  item.append(bubble);
  if (reply.quickReplies.length > 0) {
    const group = el('div', 'quick-replies');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', '快捷回复 (Quick replies)');
    for (const quick of reply.quickReplies) {
      const button = el('button', 'quick-reply', quick.label);
      button.type = 'button';
      button.disabled = pending;
      button.addEventListener('click', () => send(quick.value));
      group.append(button);
    }
    item.append(group);
  }
  return append(item);
}

/** Quick replies answer the bot's latest question only: older ones stop working once the person moves on. */
function retireQuickReplies() {
  for (const group of messages.querySelectorAll('.quick-replies')) {
    group.classList.add('retired');
    for (const button of group.querySelectorAll('button')) button.disabled = true;
  }
}

function setPending(value) {
  pending = value;
  typing.hidden = !value;
  sendButton.disabled = value;
  for (const button of messages.querySelectorAll('.quick-replies:not(.retired) button')) button.disabled = value;
  if (value) scrollToEnd();
}

// Sending -------------------------------------------------------------------------------------

class SendError extends Error {
  constructor(message, retryable) {
    super(message);
    this.retryable = retryable;
  }
}

async function post(message) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response;
  try {
    response = await fetch(API.messages, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tenant: message.tenant, text: message.text, messageId: message.id }),
      signal: controller.signal,
    });
  } catch {
    throw new SendError(t('sendFailed'), true);
  } finally {
    clearTimeout(timer);
  }
  if (response.ok) {
    try {
      return await response.json();
    } catch {
      throw new SendError(t('sendFailed'), true);
    }
  }
  if (response.status === 429) throw new SendError(await limitMessage(response), true);
  if (response.status === 503) {
    // The server is busy (too many messages at once): its polite message, and a retry button.
    const body = await response.json().catch(() => null);
    throw new SendError(typeof body?.error === 'string' ? body.error : '发送失败，请重试', true);
  }
  if (response.status === 413) throw new SendError('消息太长，无法发送。', false);
  if (response.status === 404) throw new SendError('找不到所选公司，请刷新页面后重试。', false);
  if (response.status >= 400 && response.status < 500) throw new SendError('消息无法发送（请求无效）。', false);
  throw new SendError(t('sendFailed'), true);
}

/** The server's friendly "slow down" (it says how long to wait). */
async function limitMessage(response) {
  try {
    const body = await response.json();
    if (typeof body.error === 'string') return body.error;
  } catch {
    // fall through
  }
  return '发送太频繁，请稍后再试。';
}

function showSendError(item, message, error) {
  const line = el('div', 'send-error');
  line.setAttribute('role', 'alert');
  line.append(el('span', '', error.message));
  if (error.retryable) {
    const retry = el('button', 'retry', t('retry'));
    retry.type = 'button';
    retry.setAttribute('aria-label', '重试发送 (Retry)');
    retry.addEventListener('click', () => {
      if (pending) return;
      line.remove();
      void deliver(message, item);
    });
    line.append(retry);
  }
  item.append(line);
  scrollToEnd();
}

async function deliver(message, item) {
  setPending(true);
  try {
    const result = await post(message);
    // The message id was seen before: an earlier attempt got through but its answer was lost.
    if (result.duplicate && result.replies.length === 0) addNote('这条消息已经送达过了。如果没有看到回复，请换个说法再问一次。');
    for (const reply of result.replies) addBotReply(reply);
    // The first message may have brought the session cookie the stream needs.
    if (typeof EventSource !== 'undefined' && (!stream || stream.readyState === EventSource.CLOSED)) connectPush();
  } catch (error) {
    showSendError(item, message, error instanceof SendError ? error : new SendError(t('sendFailed'), true));
  } finally {
    setPending(false);
  }
}

function send(text) {
  const trimmed = text.trim();
  if (!trimmed || pending || !tenantSelect.value) return false;
  retireQuickReplies();
  if (languageOf(trimmed) !== language) applyLanguage(languageOf(trimmed));
  // The id is made once per message, so a retry is recognised as the same message.
  const message = { id: `${Date.now().toString(36)}-${randomId(16)}`, tenant: tenantSelect.value, text: trimmed };
  const item = addUserMessage(trimmed);
  void deliver(message, item);
  return true;
}

// The conversation so far, and what arrives later -----------------------------------------------

/** Newest server time shown from the history: a pushed message at or before it is already on screen. */
let shownUntil = 0;
/** Keys of pushed messages already shown (a reconnecting stream may repeat one). */
const shownPushes = new Set();
let stream = null;

function conversationQuery() {
  return new URLSearchParams({ tenant: tenantSelect.value }).toString();
}

function addHistoryEntry(entry) {
  if (entry.direction === 'in') return addUserMessage(entry.text);
  return addBotReply({ kind: entry.citations.length > 0 ? 'answer' : 'info', text: entry.text, citations: entry.citations, quickReplies: [] });
}

/** Shows the conversation kept on the server (after a reload, a tenant switch, a reconnect). */
async function loadHistory() {
  if (!tenantSelect.value) return;
  let body;
  try {
    const response = await fetch(`${API.history}?${conversationQuery()}`);
    if (!response.ok) return;
    body = await response.json();
  } catch {
    return;
  }
  clearConversation();
  for (const entry of body.entries) {
    addHistoryEntry(entry);
    shownUntil = Math.max(shownUntil, Date.parse(entry.at));
  }
}

/** Opens the push stream of the current conversation: agents' messages appear without a reload. */
function connectPush() {
  if (stream) stream.close();
  stream = null;
  if (!tenantSelect.value || typeof EventSource === 'undefined') return;
  const source = new EventSource(`${API.events}?${conversationQuery()}`);
  let opened = false;
  source.addEventListener('open', () => {
    // A reconnect may have missed pushes: the history has them.
    if (opened) void loadHistory();
    opened = true;
    document.documentElement.dataset.push = 'open';
  });
  source.addEventListener('replies', (event) => {
    let data;
    try {
      data = JSON.parse(event.data);
    } catch {
      return;
    }
    if (data.key && shownPushes.has(data.key)) return;
    if (data.key) shownPushes.add(data.key);
    if (data.at && Date.parse(data.at) <= shownUntil) return;
    retireQuickReplies();
    for (const reply of data.replies) addBotReply(reply);
  });
  stream = source;
}

async function openConversation() {
  shownUntil = 0;
  await loadHistory();
  connectPush();
}

// Wiring --------------------------------------------------------------------------------------

function clearConversation() {
  for (const item of [...messages.children]) if (!item.classList.contains('intro')) item.remove();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (send(input.value)) input.value = '';
});

// Enter that confirms an IME candidate (Chinese input) must not send the half-typed message.
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.isComposing || event.keyCode === 229)) event.preventDefault();
});

tenantSelect.addEventListener('change', () => {
  store.set(STORAGE.tenant, tenantSelect.value);
  clearConversation();
  void openConversation().then(() => addNote(t('switched', { name: tenantSelect.selectedOptions[0]?.textContent ?? tenantSelect.value })));
  input.focus();
});

newChatButton.addEventListener('click', async () => {
  if (pending) return;
  setPending(true);
  try {
    const response = await fetch(API.session, { method: 'POST' });
    if (response.status === 429) {
      addNote(await limitMessage(response));
      return;
    }
    if (!response.ok) throw new Error(String(response.status));
    clearConversation();
    shownUntil = 0;
    // The new cookie names a new conversation: listen to that one.
    connectPush();
    addNote(t('newChatNote'));
  } catch {
    addNote('无法开始新对话，请稍后再试。');
  } finally {
    setPending(false);
    input.focus();
  }
});

async function loadTenants() {
  let body;
  try {
    const response = await fetch(API.tenants);
    if (!response.ok) throw new Error(String(response.status));
    body = await response.json();
  } catch {
    const item = addNote('无法加载公司列表。');
    const retry = el('button', 'retry', '重试');
    retry.type = 'button';
    retry.addEventListener('click', () => {
      item.remove();
      void loadTenants();
    });
    item.append(retry);
    return;
  }
  tenantSelect.replaceChildren(
    ...body.tenants.map((tenant) => {
      const option = el('option', '', tenant.name ?? tenant.id);
      option.value = tenant.id;
      return option;
    }),
  );
  const saved = store.get(STORAGE.tenant);
  const ids = body.tenants.map((t) => t.id);
  tenantSelect.value = saved && ids.includes(saved) ? saved : (body.defaultTenant ?? ids[0] ?? '');
  tenantSelect.disabled = ids.length === 0;
  await openConversation();
  document.documentElement.dataset.ready = 'true';
}

if (language !== 'zh') applyLanguage(language);
void loadTenants();
