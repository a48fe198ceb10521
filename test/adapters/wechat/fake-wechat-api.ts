// A fake WeChat API server on 127.0.0.1: hands out access tokens and records customer-service
// messages, and can answer with WeChat's error codes on demand.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CustomMessage {
  touser: string;
  msgtype: string;
  text: { content: string };
}

export interface SendAttempt {
  accessToken: string;
  body: CustomMessage;
  /** The errcode the fake answered with (0: delivered). */
  errcode: number;
}

export class FakeWechatApi {
  readonly tokenRequests: URLSearchParams[] = [];
  readonly attempts: SendAttempt[] = [];
  /** errcodes to answer the next sends with, in order (0 or absent: deliver). */
  readonly sendErrors: number[] = [];
  /** Tokens WeChat no longer accepts (answered with 40001). */
  readonly revokedTokens = new Set<string>();
  /** Delay before the token endpoint answers, to make concurrent fetches overlap. */
  tokenDelayMs = 0;
  expiresIn = 7200;
  private server: Server | null = null;
  private issued = 0;
  url = '';

  /** Messages delivered (errcode 0). */
  get delivered(): CustomMessage[] {
    return this.attempts.filter((a) => a.errcode === 0).map((a) => a.body);
  }

  deliveredTo(openId: string): string[] {
    return this.delivered.filter((m) => m.touser === openId).map((m) => m.text.content);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const json = (body: unknown) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.method === 'GET' && url.pathname === '/cgi-bin/token') {
          this.tokenRequests.push(url.searchParams);
          const token = `TOKEN-${++this.issued}`;
          setTimeout(() => json({ access_token: token, expires_in: this.expiresIn }), this.tokenDelayMs);
          return;
        }
        if (req.method === 'POST' && url.pathname === '/cgi-bin/message/custom/send') {
          const accessToken = url.searchParams.get('access_token') ?? '';
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CustomMessage;
          const errcode = this.revokedTokens.has(accessToken) ? 40001 : (this.sendErrors.shift() ?? 0);
          this.attempts.push({ accessToken, body, errcode });
          return json({ errcode, errmsg: errcode === 0 ? 'ok' : `error ${errcode}` });
        }
        res.writeHead(404);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
