// The webhook part of `npm run bench`: signed WeChat text messages posted at a fixed
// concurrency to the real server (`privacy-bot serve` in a child process, SQLite, the
// bundled policies), next to a bare node:http server answering a constant, in the same run.
// The ratio says what the bot costs per message over the cheapest possible endpoint.
//
// The load generator speaks the WeChat protocol itself (sha1 signature of token, timestamp
// and nonce; XML body; unique MsgId per message), so every request is a full bot turn:
// signature check, parse, dedupe claim, answer, transcript, passive XML reply.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile, QUESTIONS } from './bench-worker.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = resolve(HERE, '../..');
const BIN = join(PROJECT_ROOT, 'src/cli/privacy-bot.mjs');
const TOKEN = 'benchtoken';

export interface WebhookFigures {
  label: string;
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${url} in ${timeoutMs} ms`);
}

/** A bare node:http server in a child process answering every POST with a constant. */
function startBareServer(port: number): ChildProcess {
  const code = `require('node:http').createServer((req,res)=>{req.resume();req.on('end',()=>{res.writeHead(200,{'content-type':'text/plain'});res.end('success')})}).listen(${port},'127.0.0.1')`;
  return spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
}

function signedPath(): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(6).toString('hex');
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return `/wechat?signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
}

let msgId = BigInt(Date.now()) * 1000n;

function textMessage(i: number): string {
  msgId += 1n;
  const question = QUESTIONS[i % QUESTIONS.length]!;
  return (
    `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oBench${i % 50}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${question}]]></Content><MsgId>${msgId}</MsgId></xml>`
  );
}

function post(port: number, agent: Agent, path: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolvePost, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path, agent, headers: { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolvePost({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `concurrency` clients posting back to back for `seconds`, after an untimed warm-up. */
async function load(label: string, port: number, concurrency: number, seconds: number, accept: (r: { status: number; text: string }) => boolean): Promise<WebhookFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let i = 0;
  const warmUntil = Date.now() + 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < warmUntil) await post(port, agent, signedPath(), textMessage(i++)).catch(() => undefined);
    }),
  );
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          const res = await post(port, agent, signedPath(), textMessage(i++));
          if (!accept(res)) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { label, requests: latencies.length, errors, seconds: elapsed, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

export async function runWebhookBench(opts: { quick?: boolean }): Promise<WebhookFigures[]> {
  const concurrency = 8;
  const seconds = opts.quick ? 5 : 15;
  const dataDir = mkdtempSync(join(tmpdir(), 'privacy-bot-bench-webhook-'));
  const botPort = await freePort();
  const barePort = await freePort();
  process.stderr.write(`bench: webhook: ${concurrency} concurrent clients, ${seconds} s each, signed WeChat text messages ...\n`);
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(botPort), HOST: '127.0.0.1', LOG_LEVEL: 'warn', WECHAT_TOKEN: TOKEN, WECHAT_TENANT: 'giantkone' };
  for (const name of Object.keys(env)) if (/^(EMBEDDINGS_|LLM_|SLACK_|WECHATY_|WECHAT_(APPID|APPSECRET|AES_KEY|ACCOUNTS_FILE))/.test(name)) delete env[name];
  const bot = spawn(process.execPath, [BIN, 'serve'], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  const bare = startBareServer(barePort);
  try {
    await waitFor(`http://127.0.0.1:${botPort}/healthz`, bot);
    await new Promise((r) => setTimeout(r, 300));
    const botFigures = await load('privacy-bot POST /wechat (full turn)', botPort, concurrency, seconds, (r) => r.status === 200 && r.text.includes('<Content>'));
    const bareFigures = await load('bare node:http constant', barePort, concurrency, seconds, (r) => r.status === 200);
    return [botFigures, bareFigures];
  } finally {
    bot.kill('SIGTERM');
    bare.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function printWebhookTable(figures: WebhookFigures[]): void {
  const [bot, bare] = figures;
  console.log('\nWebhook: signed WeChat text messages, 8 concurrent keep-alive clients, after a 1 s warm-up');
  console.log('server                                  requests  errors     req/s   p50 ms   p99 ms');
  console.log('--------------------------------------  --------  ------  --------  -------  -------');
  for (const f of figures) {
    console.log(`${f.label.padEnd(38)}  ${String(f.requests).padStart(8)}  ${String(f.errors).padStart(6)}  ${f.rps.toFixed(0).padStart(8)}  ${f.p50.toFixed(2).padStart(7)}  ${f.p99.toFixed(2).padStart(7)}`);
  }
  if (bot && bare && bot.rps > 0) {
    console.log(`ratio bare/bot: ${(bare.rps / bot.rps).toFixed(1)}x the requests per second; bot p99 ${bot.p99.toFixed(1)} ms against WeChat's 5 s limit`);
  }
}
