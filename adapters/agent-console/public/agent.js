// The agent console: lists waiting and owned chats with their masked transcripts and the
// bot's citations, refreshed whenever the server says something changed (Server-Sent Events),
// and lets the agent take over, reply, hand back and close. Text goes in via textContent only.

const list = document.getElementById('handoffs');
const empty = document.getElementById('empty');
let csrf = '';
let me = '';
/** Reply drafts survive a refresh of the list. */
const drafts = new Map();

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function messageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: JSON.stringify(body ?? {}),
  });
  if (response.status === 401) window.location.assign('/agent/login');
  return response;
}

function button(label, onClick) {
  const b = el('button', '', label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}

function renderHandoff(h) {
  const item = el('li', 'handoff');
  item.dataset.id = h.id;
  item.dataset.state = h.state;
  const header = el('header');
  header.append(
    el('span', `state state-${h.state}`, h.state === 'waiting_agent' ? '等待接入' : h.state === 'agent' ? `进行中 · ${h.ownerName ?? ''}` : h.state),
    el('span', '', `${h.tenant} · ${h.channel} · ${h.reason}`),
    el('time', '', new Date(h.createdAt).toLocaleString()),
  );
  if (h.userUnreachable) header.append(el('span', 'unreachable', '用户暂时无法接收消息'));
  item.append(header);
  const transcript = el('ol', 'transcript');
  for (const line of h.transcript) {
    const row = el('li', `line ${line.direction}`, line.text);
    for (const c of line.citations) row.append(el('div', 'cite', `${c.label}：${c.text}`));
    transcript.append(row);
  }
  item.append(transcript);
  const actions = el('div', 'actions');
  const error = el('p', '', '');
  error.setAttribute('role', 'alert');
  const act = async (action, body) => {
    const response = await post(`/agent/api/handoffs/${encodeURIComponent(h.id)}/${action}`, body);
    if (!response.ok) {
      const detail = await response.json().catch(() => ({}));
      error.textContent = detail.ownerName ? `已由 ${detail.ownerName} 接手` : '操作未完成';
    }
    await refresh();
  };
  if (h.state === 'waiting_agent') {
    actions.append(button('接手 (Take over)', () => act('take')), button('关闭 (Close)', () => act('close')));
  } else if (h.state === 'agent' && h.mine) {
    const input = el('input');
    input.setAttribute('aria-label', '回复用户 (Reply)');
    input.value = drafts.get(h.id) ?? '';
    input.addEventListener('input', () => drafts.set(h.id, input.value));
    const note = el('input');
    note.setAttribute('aria-label', '交回备注 (Hand-back note)');
    const sendReply = async () => {
      const text = input.value.trim();
      if (!text) return;
      drafts.delete(h.id);
      input.value = '';
      await act('reply', { text, messageId: messageId() });
    };
    input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.isComposing) void sendReply();
    });
    actions.append(
      input,
      button('发送 (Send)', sendReply),
      note,
      button('交回机器人 (Hand back)', () => act('handback', note.value.trim() ? { note: note.value.trim() } : {})),
      button('结束 (Close)', () => act('close')),
    );
  }
  item.append(actions, error);
  return item;
}

let refreshing = null;
async function refresh() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    const response = await fetch('/agent/api/handoffs');
    if (response.status === 401) return window.location.assign('/agent/login');
    const body = await response.json();
    const open = body.handoffs.filter((h) => h.state === 'waiting_agent' || h.state === 'agent');
    list.replaceChildren(...open.map(renderHandoff));
    empty.hidden = open.length > 0;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function start() {
  const response = await fetch('/agent/api/me');
  if (response.status === 401) return window.location.assign('/agent/login');
  ({ csrf, name: me } = await response.json());
  document.getElementById('who').textContent = me;
  document.getElementById('logout').addEventListener('click', async () => {
    await post('/agent/logout');
    window.location.assign('/agent/login');
  });
  await refresh();
  const events = new EventSource('/agent/api/events');
  events.addEventListener('changed', () => void refresh());
  events.addEventListener('open', () => {
    document.documentElement.dataset.live = 'true';
    void refresh();
  });
}

void start();
