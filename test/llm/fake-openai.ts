// A fake OpenAI-compatible chat server on 127.0.0.1 (POST /v1/chat/completions): answers each
// request with the next scripted reply, which may read the request (to cite the clauses the
// bot sent), hold the response until the server closes (a slow model), or fail with a status.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  authorization: string | undefined;
}

export type Script =
  | { content: string | ((req: ChatRequest) => string) }
  | { hang: true }
  | { status: number; body: string };

export type Task = 'answer' | 'rewrite' | 'rerank' | 'intent';

/** Which of the bot's prompts a request carries, told by the output format it asks for. */
export function taskOf(req: ChatRequest): Task {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  if (system.includes('"intent"')) return 'intent';
  if (system.includes('"ids"')) return 'rerank';
  return system.includes('"query"') ? 'rewrite' : 'answer';
}

export class FakeOpenAi {
  readonly requests: ChatRequest[] = [];
  /** Replies for the next requests of each task, in order; when empty, `fallback` answers. */
  readonly script: Record<Task, Script[]> = { answer: [], rewrite: [], rerank: [], intent: [] };
  readonly fallback: Record<Task, Script> = {
    answer: { content: '{"covered": false, "statements": []}' },
    // The question as asked, and the ranking the bot already has.
    rewrite: { content: (req) => JSON.stringify({ query: askedQuestion(req) }) },
    rerank: { content: (req) => JSON.stringify({ ids: shownClauses(req).map((c) => c.id) }) },
    intent: { content: '{"intent": "question"}' },
  };

  requestsFor(task: Task): ChatRequest[] {
    return this.requests.filter((r) => taskOf(r) === task);
  }

  reset(): void {
    this.requests.length = 0;
    for (const list of Object.values(this.script)) list.length = 0;
  }
  private server: Server | null = null;
  url = '';

  /** The base URL to put in LLM_BASE_URL. */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
          return;
        }
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model: string; messages: { role: string; content: string }[] };
        const request: ChatRequest = { model: body.model, messages: body.messages, authorization: req.headers.authorization };
        this.requests.push(request);
        const task = taskOf(request);
        const step = this.script[task].shift() ?? this.fallback[task];
        if ('hang' in step) return; // answered never; closed with the server
        if ('status' in step) {
          res.writeHead(step.status, { 'content-type': 'application/json' });
          res.end(step.body);
          return;
        }
        const content = typeof step.content === 'function' ? step.content(request) : step.content;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: `chatcmpl-${this.requests.length}`,
            object: 'chat.completion',
            created: 1_780_000_000,
            model: body.model,
            choices: [{ index: 0, message: { role: 'assistant', content }, logprobs: null, finish_reason: 'stop' }],
            usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The clauses the bot showed the model: `[id] text` blocks of the user message. */
export function shownClauses(req: ChatRequest): { id: string; text: string }[] {
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  const block = /<clauses>\n([\s\S]*?)\n<\/clauses>/.exec(user)?.[1] ?? '';
  return block.split('\n\n').flatMap((part) => {
    const m = /^\[([^\]]+)\] ([\s\S]*)$/.exec(part);
    return m ? [{ id: m[1]!, text: m[2]! }] : [];
  });
}

/** The question as the bot put it in its data block. */
export function askedQuestion(req: ChatRequest): string {
  const user = req.messages.find((m) => m.role === 'user')?.content ?? '';
  return /<question>\n([\s\S]*?)\n<\/question>/.exec(user)?.[1] ?? '';
}
