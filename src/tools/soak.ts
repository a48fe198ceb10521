// `npm run soak`: the proof that the bot holds under load and abuse, on 127.0.0.1 only, with
// every loop bounded so the whole run stops by itself in a few minutes. Instances are real
// `privacy-bot serve` processes on one PostgreSQL database (a throwaway database, dropped at
// the end), next to a bare node:http server in the same run; WeChat's API is a fake on
// 127.0.0.1 that records customer-service messages. Each line of the table says held or not.
// Figures (req/s, p50/p99, CPU per turn) are printed, not asserted.

import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PROJECT_ROOT, RUNNING_BUILD } from '../project-root.ts';
import { makeScaleKnowledge } from './bench.ts';
import { percentile, QUESTIONS } from './bench-worker.ts';

const TOKEN = 'soaktoken';
const APP_ID = 'wxsoak000001';
const ENTRY = RUNNING_BUILD ? join(PROJECT_ROOT, 'dist/src/cli/run.js') : join(PROJECT_ROOT, 'src/cli/privacy-bot.mjs');

export interface SoakOptions {
  /** Short versions of every step (seconds instead of minutes). */
  quick?: boolean;
  /** A PostgreSQL server where a throwaway database may be created. */
  databaseUrl?: string;
}

interface Row {
  step: string;
  figures: string;
  held: boolean | null;
}

// ------------------------------------------------------------------------------------------
// Plumbing

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

async function freePort(): Promise<number> {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fake WeChat API: access tokens and customer-service messages, recorded per openid. */
async function startFakeWechatApi(): Promise<{ url: string; sent: Map<string, string[]>; close(): Promise<void> }> {
  const sent = new Map<string, string[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url?.startsWith('/cgi-bin/token')) {
        res.end(JSON.stringify({ access_token: 'SOAK-TOKEN', expires_in: 7200 }));
        return;
      }
      if (req.url?.startsWith('/cgi-bin/message/custom/send')) {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { touser: string; text: { content: string } };
          sent.set(body.touser, [...(sent.get(body.touser) ?? []), body.text.content]);
        } catch {
          // counted as nothing sent
        }
        res.end('{"errcode":0,"errmsg":"ok"}');
        return;
      }
      res.end('{"errcode":40001}');
    });
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, sent, close: () => new Promise((r) => server.close(() => r())) };
}

interface Instance {
  name: string;
  port: number;
  child: ChildProcess;
  log: string[];
}

async function startInstance(name: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, [ENTRY, 'serve'], { cwd: PROJECT_ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => log.push(chunk));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}: ${log.join('').slice(-500)}`);
    if (Date.now() > deadline) throw new Error(`${name} not healthy in 120 s`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return { name, port, child, log };
}

async function stopInstance(instance: Instance, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (instance.child.exitCode !== null || instance.child.signalCode !== null) return;
  const exited = new Promise((r) => instance.child.once('exit', r));
  instance.child.kill(signal);
  await Promise.race([exited, sleep(15_000)]);
}

function signedQuery(): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = randomBytes(8).toString('hex');
  const signature = createHash('sha1').update([TOKEN, timestamp, nonce].sort().join('')).digest('hex');
  return `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;
}

let nextMsgId = BigInt(Date.now()) * 1000n;
const newMsgId = () => String(++nextMsgId);

function textXml(user: string, text: string, msgId: string): string {
  return (
    `<xml><ToUserName><![CDATA[gh_soak]]></ToUserName><FromUserName><![CDATA[${user}]]></FromUserName>` +
    `<CreateTime>${Math.floor(Date.now() / 1000)}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
    `<Content><![CDATA[${text}]]></Content><MsgId>${msgId}</MsgId></xml>`
  );
}

interface Reply {
  status: number;
  text: string;
  ms: number;
}

function post(port: number, path: string, body: string, agent?: Agent, contentType = 'text/xml'): Promise<Reply> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path, agent, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ms: performance.now() - t0 }));
      },
    );
    req.setTimeout(30_000, () => req.destroy());
    req.on('error', () => resolve({ status: 0, text: '', ms: performance.now() - t0 }));
    req.end(body);
  });
}

const wechat = (port: number, user: string, text: string, msgId = newMsgId(), agent?: Agent) => post(port, `/wechat?${signedQuery()}`, textXml(user, text, msgId), agent);
const passive = (r: Reply): string | null => /<Content><!\[CDATA\[([\s\S]*?)\]\]><\/Content>/.exec(r.text)?.[1] ?? null;

async function metric(port: number, name: string): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  } catch {
    return Number.NaN;
  }
}

// ------------------------------------------------------------------------------------------
// Load

interface LoadFigures {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

/** `concurrency` clients posting distinct signed questions back to back for `seconds`. */
async function closedLoop(ports: number[], concurrency: number, seconds: number, bare = false): Promise<LoadFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency * ports.length });
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const started = performance.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, c) => {
      while (performance.now() < until) {
        const n = i++;
        const port = ports[(c + n) % ports.length]!;
        const r = await wechat(port, `oLoad${c}x${n % 40}`, QUESTIONS[n % QUESTIONS.length]!, newMsgId(), agent);
        if (r.status !== 200 || (!bare && r.text !== 'success' && passive(r) === null)) errors++;
        latencies.push(r.ms);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/**
 * Messages at a fixed rate for `seconds`, each from its own user; afterwards waits for late
 * customer-service answers. Lost = neither a passive reply nor a later message; duplicate =
 * more than one.
 */
async function openLoop(
  port: number,
  api: { sent: Map<string, string[]> },
  rate: number,
  seconds: number,
  question: (n: number) => string,
  tag: string,
): Promise<LoadFigures & { late: number; lost: number; duplicates: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * seconds);
  const results: Promise<{ user: string; r: Reply }>[] = [];
  const started = performance.now();
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const user = `oRate${tag}x${n}`;
    results.push(wechat(port, user, question(n), newMsgId(), agent).then((r) => ({ user, r })));
  }
  const done = await Promise.all(results);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  const answered = (user: string, r: Reply) => (passive(r) !== null ? 1 : 0) + (api.sent.get(user)?.length ?? 0);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && done.some(({ user, r }) => r.status === 200 && answered(user, r) === 0)) await sleep(200);
  const latencies = done.map(({ r }) => r.ms).sort((a, b) => a - b);
  return {
    requests: done.length,
    errors: done.filter(({ r }) => r.status !== 200).length,
    rps: done.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    late: done.filter(({ user }) => (api.sent.get(user)?.length ?? 0) > 0).length,
    lost: done.filter(({ user, r }) => answered(user, r) === 0).length,
    duplicates: done.filter(({ user, r }) => answered(user, r) > 1).length,
  };
}

// ------------------------------------------------------------------------------------------
// The run

export async function runSoak(options: SoakOptions = {}): Promise<Row[]> {
  const quick = options.quick ?? false;
  const adminUrl = options.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/test';
  const database = `privacy_bot_soak_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const databaseUrl = url.toString();

  const rows: Row[] = [];
  const row = (step: string, figures: string, held: boolean | null) => {
    rows.push({ step, figures, held });
    process.stderr.write(`soak: ${step}: ${figures}${held === null ? '' : held ? ' (held)' : ' (NOT held)'}\n`);
  };

  const api = await startFakeWechatApi();
  const dataDir = mkdtempSync(join(tmpdir(), 'privacy-bot-soak-'));
  const cappFiles = readdirSync(join(PROJECT_ROOT, '../shared/corpora/capp-130'))
    .filter((f) => /^capp-\d+\.txt$/.test(f))
    .sort()
    .slice(0, quick ? 5 : 50);
  const knowledgeDir = makeScaleKnowledge(join(PROJECT_ROOT, '../shared/corpora/capp-130'), cappFiles);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    DATA_DIR: dataDir,
    KNOWLEDGE_DIR: knowledgeDir,
    DATABASE_URL: databaseUrl,
    BOT_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    WECHAT_TOKEN: TOKEN,
    WECHAT_APPID: APP_ID,
    WECHAT_APPSECRET: 'soak-secret',
    WECHAT_API_BASE: api.url,
    WECHAT_TENANT: 'giantkone',
    WECHAT_MAX_CLOCK_SKEW_S: '0',
    SLACK_SIGNING_SECRET: 'soak-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-soak',
    SLACK_API_URL: `${api.url}/slack/`,
    SLACK_TENANT: 'giantkone',
  };
  const bare = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('success');
    });
  });
  const barePort = await listen(bare);
  const logs: string[][] = [];
  const instances: Instance[] = [];
  const start = async (name: string, extra: NodeJS.ProcessEnv = {}) => {
    const instance = await startInstance(name, { ...env, ...extra });
    logs.push(instance.log);
    instances.push(instance);
    return instance;
  };

  try {
    // Build the index once (both instances then load it).
    const a = await start('A');
    const b = await start('B');
    const rssBefore = await metric(a.port, 'process_resident_memory_bytes');
    const seconds = quick ? 1 : 5;

    // 1. Throughput next to a bare server, 1 and 2 instances.
    const bareFigures = await closedLoop([barePort], 8, seconds, true);
    const cpu0 = await metric(a.port, 'process_cpu_seconds_total');
    const turns0 = await metric(a.port, 'privacy_bot_turn_seconds_count');
    const one = await closedLoop([a.port], 8, seconds);
    const cpu1 = await metric(a.port, 'process_cpu_seconds_total');
    const turns1 = await metric(a.port, 'privacy_bot_turn_seconds_count');
    const two = await closedLoop([a.port, b.port], 8, seconds);
    const cpuPerTurn = ((cpu1 - cpu0) * 1000) / Math.max(1, turns1 - turns0);
    const fmt = (f: LoadFigures) => `${f.requests} req, ${f.rps.toFixed(0)} req/s, p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ${f.errors} errors`;
    row('bare node:http (8 clients)', fmt(bareFigures), null);
    const ratio = one.rps / Math.max(1, bareFigures.rps);
    row('1 instance, signed distinct questions', `${fmt(one)}; ${ratio.toFixed(3)}x bare; ${cpuPerTurn.toFixed(2)} ms CPU/turn (incl. HTTP)`, one.errors === 0);
    row('2 instances, signed distinct questions', `${fmt(two)}; ${(two.rps / Math.max(1, bareFigures.rps)).toFixed(3)}x bare`, two.errors === 0);

    // 2. Rising rates on one instance, then twice the knee for the 50-policy tenant (late, not lost).
    const rates = quick ? [20] : [25, 50, 100, 200];
    let knee = rates[0]!;
    for (const rate of rates) {
      const f = await openLoop(a.port, api, rate, quick ? 1 : 3, (n) => QUESTIONS[n % QUESTIONS.length]!, `s${rate}`);
      if (f.p99 < 4500 && f.late === 0) knee = rate;
      row(`seed tenant at ${rate} msg/s`, `${fmt(f)}, ${f.late} late (customer service), ${f.lost} lost, ${f.duplicates} duplicate`, f.lost === 0 && f.duplicates === 0);
    }
    const capp = { ...env, WECHAT_TENANT: 'capp', MAX_TURNS_IN_FLIGHT: '8' };
    const c = await start('C (50-policy tenant)', capp);
    const capRates = quick ? [20] : [50, 100, 200];
    let capKnee = capRates[0]!;
    for (const rate of capRates) {
      const f = await openLoop(c.port, api, rate, quick ? 1 : 3, (n) => QUESTIONS[n % QUESTIONS.length]!, `c${rate}`);
      if (f.p99 < 4500 && f.late === 0) capKnee = rate;
      row(`50-policy tenant at ${rate} msg/s`, `${fmt(f)}, ${f.late} late, ${f.lost} lost, ${f.duplicates} duplicate`, f.lost === 0 && f.duplicates === 0);
    }
    {
      const rate = capKnee * 2;
      const f = await openLoop(c.port, api, rate, quick ? 1 : 3, (n) => QUESTIONS[n % QUESTIONS.length]!, `k${rate}`);
      row(`50-policy tenant at 2x knee (${rate} msg/s)`, `${fmt(f)}, ${f.late} late, ${f.lost} lost, ${f.duplicates} duplicate`, f.lost === 0 && f.duplicates === 0);
    }
    await stopInstance(c);
    void knee;

    // 3. Redelivery storm: every message 4 times, across both instances, at once.
    {
      const n = quick ? 10 : 100;
      const work: Promise<{ user: string; replies: Reply[] }>[] = [];
      for (let i = 0; i < n; i++) {
        const user = `oStorm${i}`;
        const id = newMsgId();
        const text = QUESTIONS[i % QUESTIONS.length]!;
        work.push(Promise.all([a, b, a, b].map((inst) => wechat(inst.port, user, text, id))).then((replies) => ({ user, replies })));
      }
      const done = await Promise.all(work);
      await sleep(quick ? 1000 : 6000);
      const count = (user: string, replies: Reply[]) => replies.filter((r) => passive(r) !== null).length + (api.sent.get(user)?.length ?? 0);
      const dup = done.filter(({ user, replies }) => count(user, replies) > 1).length;
      const lost = done.filter(({ user, replies }) => count(user, replies) === 0).length;
      row(`redelivery storm (${n} messages x4, 2 instances)`, `${dup} duplicate replies, ${lost} lost`, dup === 0 && lost === 0);
    }

    // 4. Double confirms across instances: one ticket per form.
    const contacts: string[] = [];
    const fillForm = async (port: number, user: string, contact: string) => {
      let last = passive(await wechat(port, user, '帮我删除我的个人信息')) ?? '';
      for (let step = 0; step < 5 && !/确认提交吗/.test(last); step++) {
        last = passive(await wechat(port, user, /手机号或邮箱/.test(last) ? contact : '全部个人信息')) ?? '';
      }
      return /确认提交吗/.test(last);
    };
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const ticketsOf = async (user: string) => Number((await db.query('SELECT count(*) AS n FROM tickets WHERE requester = $1', [user])).rows[0]?.n ?? 0);
    {
      const n = quick ? 3 : 20;
      let double = 0;
      let reached = 0;
      for (let i = 0; i < n; i++) {
        const user = `oConfirm${i}`;
        const contact = `139${String(10_000_000 + i * 7919).slice(-8)}`;
        contacts.push(contact);
        if (!(await fillForm(a.port, user, contact))) continue;
        reached++;
        await Promise.all([wechat(a.port, user, '确认'), wechat(b.port, user, '确认')]);
        if ((await ticketsOf(user)) !== 1) double++;
      }
      row(`double confirms across instances (${n} forms)`, `${reached} forms confirmed twice at once, ${double} with other than one ticket`, double === 0 && reached === n);
    }

    // 5. kill -9 of one instance during load; WeChat redelivers what got no answer.
    {
      const n = quick ? 20 : 200;
      const users = Array.from({ length: n }, (_, i) => `oKill${i}`);
      const ids = users.map(() => newMsgId());
      const first = users.map((user, i) => wechat(i % 2 === 0 ? a.port : b.port, user, QUESTIONS[i % QUESTIONS.length]!, ids[i]!));
      await sleep(quick ? 20 : 100);
      b.child.kill('SIGKILL');
      const replies = await Promise.all(first);
      // WeChat retries a message three times over about 15 s when it gets no answer.
      for (let attempt = 0; attempt < 3; attempt++) {
        const missing = users.map((u, i) => ({ u, i })).filter(({ u, i }) => replies[i]!.status !== 200 && !(api.sent.get(u)?.length));
        if (missing.length === 0) break;
        await sleep(5000);
        await Promise.all(missing.map(async ({ u, i }) => (replies[i] = await wechat(a.port, u, QUESTIONS[i % QUESTIONS.length]!, ids[i]!))));
      }
      await sleep(quick ? 1000 : 5000);
      const answers = (u: string, i: number) => (passive(replies[i]!) !== null ? 1 : 0) + (api.sent.get(u)?.length ?? 0);
      const lost = users.filter((u, i) => answers(u, i) === 0).length;
      const dup = users.filter((u, i) => answers(u, i) > 1).length;
      row(`kill -9 of one instance during load (${n} messages)`, `${lost} lost, ${dup} duplicate`, lost === 0 && dup === 0);
    }

    // 6. kill -9 during a form: the form continues on the other instance.
    {
      const b2 = await start('B2');
      const user = 'oKillForm';
      const contact = '13700001234';
      contacts.push(contact);
      await wechat(b2.port, user, '帮我删除我的个人信息');
      b2.child.kill('SIGKILL');
      let last = passive(await wechat(a.port, user, '全部个人信息')) ?? '';
      for (let step = 0; step < 4 && !/确认提交吗/.test(last); step++) last = passive(await wechat(a.port, user, /手机号或邮箱/.test(last) ? contact : '全部个人信息')) ?? '';
      await wechat(a.port, user, '确认');
      const tickets = await ticketsOf(user);
      row('kill -9 during a form, continued on the other instance', `${tickets} ticket(s) filed`, tickets === 1);
    }

    // 7. Fuzz: malformed bodies per webhook; no 5xx, still healthy.
    {
      const n = quick ? 300 : 10_000;
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      const junk = (i: number): string => {
        const kinds = [
          () => randomBytes(i % 2000).toString('latin1'),
          () => `<xml>${'<a>'.repeat(i % 500)}</xml>`,
          () => textXml(`o${i}`, '\u0000\ud800'.repeat(i % 50), 'x'.repeat(i % 40)),
          () => JSON.stringify({ tenant: 'giantkone', session: 'x'.repeat(i % 100), text: randomBytes(i % 300).toString('base64'), messageId: i }),
          () => `{"type":"event_callback","event":${'['.repeat(i % 300)}`,
          () => 'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: i % 2 ? [] : null })),
        ];
        return kinds[i % kinds.length]!();
      };
      const targets: [string, string, (i: number) => string][] = [
        ['/wechat (signed)', 'text/xml', () => `/wechat?${signedQuery()}`],
        ['/wechat (unsigned)', 'text/xml', () => '/wechat?signature=0&timestamp=0&nonce=0'],
        ['/api/web/messages', 'application/json', () => '/api/web/messages'],
        ['/slack/events', 'application/x-www-form-urlencoded', () => '/slack/events'],
      ];
      for (const [label, type, path] of targets) {
        let server5xx = 0;
        let failed = 0;
        for (let i = 0; i < n; i += 16) {
          const batch = await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, j) => post(a.port, path(i + j), junk(i + j), agent, type)));
          server5xx += batch.filter((r) => r.status >= 500).length;
          failed += batch.filter((r) => r.status === 0).length;
        }
        const healthy = (await fetch(`http://127.0.0.1:${a.port}/healthz`).catch(() => null))?.ok === true;
        row(`fuzz ${label} (${n} bodies)`, `${server5xx} 5xx, ${failed} connection failures, healthy after: ${healthy}`, server5xx === 0 && failed === 0 && healthy);
      }
      agent.destroy();
    }

    // 8. Memory, and the crash count.
    const rssAfter = await metric(a.port, 'process_resident_memory_bytes');
    row('memory of instance A', `RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssAfter / 2 ** 20).toFixed(0)} MiB after`, null);
    const crashed = instances.filter((i) => i.name !== 'B' && i.name !== 'B2' && i.child.exitCode !== null && i.name !== 'C (50-policy tenant)').length;
    row('unplanned exits', `${crashed}`, crashed === 0);

    // 9. Personal data: the contacts used, in any log line or any database row.
    {
      const emails = ['soak.user@example.com'];
      const ids = ['11010519491231002X'];
      const user = 'oPii';
      await wechat(a.port, user, `我的邮箱是${emails[0]}，身份证${ids[0]}，帮我删除我的个人信息`);
      await fillForm(a.port, user, emails[0]!);
      await wechat(a.port, user, '确认');
      const secrets = [...contacts, ...emails, ...ids];
      const logText = logs.map((l) => l.join('')).join('\n');
      const inLogs = secrets.filter((s) => logText.includes(s)).length;
      const tables = (await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).rows.map((r) => String(r.table_name));
      let inDb = 0;
      for (const table of tables) {
        const dump = (await db.query(`SELECT row_to_json(t)::text AS j FROM "${table}" t`)).rows.map((r) => String(r.j)).join('\n');
        inDb += secrets.filter((s) => dump.includes(s)).length;
      }
      row(`personal data in logs and database (${secrets.length} contacts/ids)`, `${inLogs} in logs, ${inDb} in the database (${tables.length} tables)`, inLogs === 0 && inDb === 0);
    }
    await db.end();
  } finally {
    for (const instance of instances) await stopInstance(instance);
    await new Promise((r) => bare.close(r));
    await api.close();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(knowledgeDir, { recursive: true, force: true });
  }
  return rows;
}

export function printSoakTable(rows: Row[]): void {
  const width = Math.max(...rows.map((r) => r.step.length));
  console.log(`\n${'step'.padEnd(width)}  held  figures`);
  console.log(`${'-'.repeat(width)}  ----  -------`);
  for (const r of rows) console.log(`${r.step.padEnd(width)}  ${r.held === null ? '  - ' : r.held ? 'yes ' : 'NO  '}  ${r.figures}`);
}
