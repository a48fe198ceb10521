// A real SMTP server on 127.0.0.1 (the smtp-server package) that keeps every message it
// receives, and a fake SMS gateway speaking the SMS_WEBHOOK_URL protocol (POST {to, text}).
// Codes are read from what arrived, exactly as a person would read them.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface TestSmtpServer {
  url: string;
  mails: ReceivedMail[];
  /** Waits (generous deadline) for the n-th mail (1-based) and returns the 6-digit code in it. */
  codeOf(n: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmtpServer(): Promise<TestSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    // Plain SMTP on loopback: no certificate to trust in the test.
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...decodeMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    codeOf: (n) => waitForCode(() => mails[n - 1]?.text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface FakeSmsGateway {
  url: string;
  messages: { to: string; text: string }[];
  /** The status the next requests get (200 by default). */
  status: number;
  codeOf(n: number): Promise<string>;
  close(): Promise<void>;
}

export async function startSmsGateway(): Promise<FakeSmsGateway> {
  const gateway: FakeSmsGateway = {
    url: '',
    messages: [],
    status: 200,
    codeOf: (n) => waitForCode(() => gateway.messages[n - 1]?.text),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.headers['content-type']?.startsWith('application/json')) {
        if (gateway.status < 300) gateway.messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; text: string });
      }
      res.writeHead(gateway.status, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`;
  return gateway;
}

async function waitForCode(read: () => string | undefined): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const code = /\b(\d{6})\b/.exec(read() ?? '')?.[1];
    if (code) return code;
    if (Date.now() > deadline) throw new Error('no code arrived');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Headers and text body of a simple (single-part) message, transfer encoding undone. */
function decodeMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    encoding === 'base64'
      ? Buffer.from(body, 'base64').toString('utf8')
      : encoding === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  const subject = header('Subject').replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : data.replace(/_/g, ' '),
  );
  return { subject, text };
}
