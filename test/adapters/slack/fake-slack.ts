// A fake Slack Web API on 127.0.0.1 that records calls and answers with the real response
// shapes (https://docs.slack.dev/reference/methods/auth.test, .../chat.postMessage,
// .../chat.update, .../chat.postEphemeral, .../conversations.members (cursor-paged),
// .../usergroups.users.list), and a signer that signs requests the way Slack does. The bot
// points at it with SLACK_API_URL.

import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '../../fixtures/slack');

/** A fixture from test/fixtures/slack, as a fresh object to change. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** The workspace the fixtures come from. */
export const WORKSPACE = { teamId: 'T061EG9R6', botUserId: 'U0LAN0Z89', botId: 'B0LAN0Z8A', appId: 'A0MDYCDME', userId: 'U061F7AUR' };

export interface Block {
  type: string;
  text?: { type: string; text: string };
  fields?: { type: string; text: string }[];
  elements?: { type: string; text?: string | { type: string; text: string }; action_id?: string; value?: string }[];
}

export interface PostedMessage {
  channel: string;
  thread_ts?: string;
  text: string;
  blocks: Block[];
  ts: string;
  token: string | null;
}

export interface EphemeralMessage {
  channel: string;
  user: string;
  thread_ts?: string;
  text: string;
}

export interface RecordedCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
}

export interface FakeSlack {
  /** The Web API base for SLACK_API_URL, ending in /api/. */
  apiUrl: string;
  calls: RecordedCall[];
  posts(channel?: string): PostedMessage[];
  /** Waits until `channel` has at least `count` posts, or the timeout passed; returns them. */
  waitForPosts(channel: string, count: number, timeoutMs?: number): Promise<PostedMessage[]>;
  /** The next call of `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /** Ephemeral messages (chat.postEphemeral), for one user or all. */
  ephemerals(user?: string): EphemeralMessage[];
  /** Waits until `user` has at least `count` ephemeral messages, or the timeout passed. */
  waitForEphemerals(user: string, count: number, timeoutMs?: number): Promise<EphemeralMessage[]>;
  /** The post as it is now (chat.update replaces its text and blocks). */
  post(channel: string, ts: string): PostedMessage | undefined;
  /** Waits until the post satisfies `check`, or the timeout passed; returns it as it is then. */
  waitForPost(channel: string, ts: string, check: (post: PostedMessage) => boolean, timeoutMs?: number): Promise<PostedMessage | undefined>;
  /** Members of channels (conversations.members) and user groups (usergroups.users.list); tests edit them. */
  members: Map<string, string[]>;
  usergroups: Map<string, string[]>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The WebClient sends form fields, objects (blocks) as JSON strings; JSON bodies are read too. */
function parseArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if ((contentType ?? '').includes('application/json')) return JSON.parse(body || '{}') as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}

export async function startFakeSlack(options: {
  token: string;
  members?: Record<string, string[]>;
  usergroups?: Record<string, string[]>;
  /** conversations.members page size, small to exercise the cursor. */
  pageSize?: number;
}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const posted: PostedMessage[] = [];
  const ephemeral: EphemeralMessage[] = [];
  const members = new Map(Object.entries(options.members ?? {}));
  const usergroups = new Map(Object.entries(options.usergroups ?? {}));
  const pageSize = options.pageSize ?? 200;
  const failures = new Map<string, string[]>();
  let sequence = 0;

  const server = createServer((req, res) => {
    void (async () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const body = await readBody(req);
      const args = parseArgs(body, req.headers['content-type']);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : null);
      calls.push({ method, token, args });
      const answer = (payload: unknown) => {
        const text = JSON.stringify(payload);
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(text);
      };
      const failure = failures.get(method)?.shift();
      if (failure) return answer({ ok: false, error: failure });
      if (token !== options.token) return answer({ ok: false, error: 'invalid_auth' });
      switch (method) {
        case 'auth.test':
          return answer({
            ok: true,
            url: 'https://ghostbusters.slack.com/',
            team: 'Ghostbusters',
            user: 'privacy-bot',
            team_id: WORKSPACE.teamId,
            user_id: WORKSPACE.botUserId,
            bot_id: WORKSPACE.botId,
            is_enterprise_install: false,
          });
        case 'chat.postMessage': {
          const channel = String(args.channel ?? '');
          if (!/^[A-Z0-9]+$/.test(channel)) return answer({ ok: false, error: 'channel_not_found' });
          const ts = `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}`;
          const message = {
            channel,
            thread_ts: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
            text: String(args.text ?? ''),
            blocks: (args.blocks as Block[] | undefined) ?? [],
            ts,
            token,
          };
          posted.push(message);
          return answer({
            ok: true,
            channel,
            ts,
            message: {
              user: WORKSPACE.botUserId,
              type: 'message',
              ts,
              bot_id: WORKSPACE.botId,
              app_id: WORKSPACE.appId,
              text: message.text,
              team: WORKSPACE.teamId,
              thread_ts: message.thread_ts,
              blocks: message.blocks,
            },
          });
        }
        case 'chat.update': {
          const message = posted.find((p) => p.channel === args.channel && p.ts === args.ts);
          if (!message) return answer({ ok: false, error: 'message_not_found' });
          message.text = String(args.text ?? '');
          message.blocks = (args.blocks as Block[] | undefined) ?? [];
          return answer({ ok: true, channel: message.channel, ts: message.ts, text: message.text, message: { text: message.text, user: WORKSPACE.botUserId, blocks: message.blocks } });
        }
        case 'chat.postEphemeral': {
          const channel = String(args.channel ?? '');
          if (!/^[A-Z0-9]+$/.test(channel)) return answer({ ok: false, error: 'channel_not_found' });
          if (typeof args.user !== 'string') return answer({ ok: false, error: 'user_not_in_channel' });
          ephemeral.push({ channel, user: args.user, thread_ts: typeof args.thread_ts === 'string' ? args.thread_ts : undefined, text: String(args.text ?? '') });
          return answer({ ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++sequence).padStart(6, '0')}` });
        }
        case 'conversations.members': {
          const all = members.get(String(args.channel ?? ''));
          if (!all) return answer({ ok: false, error: 'channel_not_found' });
          const start = typeof args.cursor === 'string' && args.cursor !== '' ? Number(Buffer.from(args.cursor, 'base64').toString('utf8').replace('offset:', '')) : 0;
          const limit = Math.min(Number(args.limit ?? pageSize) || pageSize, pageSize);
          const page = all.slice(start, start + limit);
          const next = start + limit < all.length ? Buffer.from(`offset:${start + limit}`).toString('base64') : '';
          return answer({ ok: true, members: page, response_metadata: { next_cursor: next } });
        }
        case 'usergroups.users.list': {
          const users = usergroups.get(String(args.usergroup ?? ''));
          if (!users) return answer({ ok: false, error: 'no_such_subteam' });
          return answer({ ok: true, users });
        }
        default:
          return answer({ ok: false, error: 'unknown_method' });
      }
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  const posts = (channel?: string) => posted.filter((p) => channel === undefined || p.channel === channel);
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    posts,
    async waitForPosts(channel, count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (posts(channel).length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return posts(channel);
    },
    failNext(method, error) {
      failures.set(method, [...(failures.get(method) ?? []), error]);
    },
    ephemerals: (user) => ephemeral.filter((e) => user === undefined || e.user === user),
    async waitForEphemerals(user, count, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      const mine = () => ephemeral.filter((e) => e.user === user);
      while (mine().length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
      return mine();
    },
    post: (channel, ts) => posted.find((p) => p.channel === channel && p.ts === ts),
    async waitForPost(channel, ts, check, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      const find = () => posted.find((p) => p.channel === channel && p.ts === ts);
      while (Date.now() < until) {
        const found = find();
        if (found && check(found)) return found;
        await new Promise((r) => setTimeout(r, 25));
      }
      return find();
    },
    members,
    usergroups,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `v0=` + hex HMAC-SHA256(secret, `v0:{timestamp}:{body}`), as Slack computes it. */
export function slackSignature(secret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`, 'utf8').digest('hex')}`;
}

/** What a user sees of a post: its sections and context lines, unescaped. */
export function visibleText(post: PostedMessage): string {
  const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  const lines = post.blocks.flatMap((b) => {
    if (b.type === 'section') return [...(b.text ? [b.text.text] : []), ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return (b.elements ?? []).flatMap((e) => (typeof e.text === 'string' ? [e.text] : []));
    return [];
  });
  return unescape(lines.length > 0 ? lines.join('\n') : post.text);
}

/** The buttons of a post, as { action_id, label, value }. */
export function buttonsOf(post: PostedMessage): { actionId: string; label: string; value: string }[] {
  return post.blocks
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button')
    .map((e) => ({ actionId: e.action_id ?? '', label: typeof e.text === 'object' ? e.text.text : '', value: e.value ?? '' }));
}
