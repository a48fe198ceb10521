// The chat and tickets commands, run as a user would: the real binary, one process per
// command, a shared data directory so tickets filed in a chat are seen by `tickets`.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/assistant.ts';

const BIN = resolve(import.meta.dirname, '../../src/cli/privacy-bot.mjs');
const dataDir = tempDir();
const key = randomBytes(32).toString('base64');

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, BOT_ENCRYPTION_KEY: key, LOG_LEVEL: 'warn' },
    timeout: 90_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const lines = (...items: object[]) => items.map((i) => JSON.stringify(i)).join('\n');

describe('privacy-bot chat and tickets', () => {
  let ticketId = '';

  it('chat --jsonl runs a whole request and reports intent and ticket id', () => {
    const { code, stdout, stderr } = run(
      ['chat', '--tenant', 'giantkone', '--jsonl'],
      lines(
        { user: 'u1', text: '你们收集哪些个人信息？' },
        { user: 'u1', text: '帮我删除我的个人信息', messageId: 'a1' },
        { user: 'u1', text: '帮我删除我的个人信息', messageId: 'a1' },
        { user: 'u1', text: '全部个人信息' },
        { user: 'u1', text: '13812345678' },
        { user: 'u1', text: '确认', messageId: 'a4' },
        { text: 'no user' },
        { user: 'u2', text: '我的申请进度' },
      ),
    );
    expect(code, stderr).toBe(0);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(8);
    expect(out[0].intent).toBe('question');
    expect(out[0].replies[0].citations.length).toBeGreaterThan(0);
    expect(Object.keys(out[0].replies[0].citations[0]).sort()).toEqual(['clauseId', 'effectiveDate', 'number', 'policyId', 'text', 'title']);
    expect(out[1].intent).toBe('delete_data');
    expect(out[2]).toMatchObject({ replies: [], duplicate: true });
    expect(out[5].ticketId).toMatch(/^DEL-\d{8}-0001$/);
    ticketId = out[5].ticketId;
    expect(out[6].error.code).toBe('invalid_input');
    expect(out[7].replies[0].text).not.toContain(ticketId);
  });

  it('handoffs list --json shows a chat handed to a person, with its audit events and no message text', () => {
    const chat = run(['chat', '--tenant', 'giantkone', '--jsonl'], lines({ user: 'h1', text: '转人工' }, { user: 'h1', text: '有人吗？我的手机 13812345678' }));
    expect(chat.code, chat.stderr).toBe(0);
    const [asked, waiting] = chat.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(asked).toMatchObject({ intent: 'human_agent', replies: [{ kind: 'handoff' }] });
    // While waiting for a person the bot stays silent.
    expect(waiting.replies).toEqual([]);

    const listed = run(['handoffs', 'list', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).not.toContain('13812345678');
    const handoffs = JSON.parse(listed.stdout);
    expect(handoffs).toHaveLength(1);
    expect(handoffs[0]).toMatchObject({ tenant: 'giantkone', channel: 'cli', userRef: 'h1', reason: 'human_agent', state: 'waiting_agent', owner: null });
    expect(handoffs[0].events.map((e: { type: string; actor: string }) => `${e.type}:${e.actor}`)).toEqual(['escalated:user:h1', 'relayed_to_agent:user:h1']);
    expect(run(['handoffs', 'list', '--tenant', 'nobody']).code).toBe(2);
  });

  it('agents add NAME stores an scrypt hash of the password read from stdin, never the password', () => {
    const agentsFile = resolve(tempDir(), 'agents.json');
    const added = spawnSync(process.execPath, [BIN, 'agents', 'add', 'zhou'], {
      input: 'a-long-password\n',
      encoding: 'utf8',
      env: { ...process.env, DATA_DIR: dataDir, AGENTS_FILE: agentsFile, LOG_LEVEL: 'warn' },
      timeout: 60_000,
    });
    expect(added.status, added.stderr).toBe(0);
    expect(added.stdout).toContain('added agent zhou');
    const text = readFileSync(agentsFile, 'utf8');
    expect(text).not.toContain('a-long-password');
    expect(JSON.parse(text).agents).toEqual([{ name: 'zhou', passwordHash: expect.stringMatching(/^scrypt\$/) }]);
    const noFile = spawnSync(process.execPath, [BIN, 'agents', 'add', 'zhou'], { input: 'a-long-password\n', encoding: 'utf8', env: { ...process.env, DATA_DIR: dataDir, AGENTS_FILE: '' } });
    expect(noFile.status).toBe(1); // a configuration problem, like every other
    expect(noFile.stderr).toContain('AGENTS_FILE');
  });

  it('tickets list/show/update follow the workflow and keep the contact masked', () => {
    const list = JSON.parse(run(['tickets', 'list', '--tenant', 'giantkone', '--json']).stdout);
    expect(list.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    expect(list[0]).toMatchObject({ status: 'verifying_identity', identityVerified: false, contact: '138****5678', dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), policyStatesDeadline: true });

    const bad = run(['tickets', 'update', ticketId, '--status', 'completed', '--by', 'li']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot become completed/);
    expect(run(['tickets', 'update', ticketId, '--status', 'rejected']).stderr).toMatch(/needs a reason/);
    expect(run(['tickets', 'update', ticketId, '--status', 'in_progress', '--by', 'li', '--note', 'called back']).code).toBe(0);

    const shown = JSON.parse(run(['tickets', 'show', ticketId, '--json']).stdout);
    expect(shown.contact).toBe('138****5678');
    expect(shown).toMatchObject({ identityVerified: true, verificationMethod: 'agent', accessLog: [] });
    expect(shown.events.map((e: { to: string; actor: string }) => `${e.to}:${e.actor}`)).toEqual(['submitted:user:u1', 'verifying_identity:system', 'in_progress:agent:li']);
    const revealed = JSON.parse(run(['tickets', 'show', ticketId, '--json', '--reveal-contact', '--by', 'wang']).stdout);
    expect(revealed.contact).toBe('13812345678');
    // Every reveal is on record, naming who revealed.
    expect(revealed.accessLog).toMatchObject([{ actor: 'agent:wang', action: 'reveal_contact' }]);
    expect(JSON.parse(run(['tickets', 'show', ticketId, '--json']).stdout).accessLog).toHaveLength(1);
    expect(run(['tickets', 'list', '--status', 'completed', '--json']).stdout.trim()).toBe('[]');
    expect(run(['tickets', 'list', '--status', 'bogus']).code).toBe(2);
    expect(run(['tickets', 'show', 'DEL-20000101-0001']).code).toBe(2);
  });

  it('keeps ID numbers and emails out of list, show and export; rejects with a reason and a clause; exports the trail', () => {
    const { stdout } = run(
      ['chat', '--tenant', 'giantkone', '--jsonl'],
      lines(
        { user: 'u3', text: '帮我删除我的个人信息' },
        { user: 'u3', text: '身份证11010519491231002X登记的全部信息' },
        { user: 'u3', text: '我的邮箱是li.lei@example.com' },
        { user: 'u3', text: '确认' },
      ),
    );
    const id = JSON.parse(stdout.trim().split('\n').at(-1)!).ticketId as string;
    expect(id).toMatch(/^DEL-/);
    const listed = run(['tickets', 'list', '--json']).stdout;
    for (const secret of ['11010519491231002X', 'li.lei@example.com', 'v1:']) expect(listed).not.toContain(secret);
    expect(listed).toContain('110***********002X');
    expect(listed).toContain('l***@example.com');

    const refused = run(['tickets', 'update', id, '--status', 'rejected', '--note', '重复申请', '--clause', 'nowhere#1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/No clause "nowhere#1"/);
    const rejected = JSON.parse(run(['tickets', 'update', id, '--status', 'rejected', '--note', '重复申请', '--clause', 'giantkone-rules#8.3', '--json']).stdout);
    expect(rejected.rejection).toMatchObject({ reason: '重复申请', clause: { policyId: 'giantkone-rules', clauseId: 'giantkone-rules#8.3' } });

    const json = JSON.parse(run(['tickets', 'export', '--format', 'json']).stdout) as { id: string; events: unknown[] }[];
    expect(json.map((t) => t.id)).toEqual([ticketId, id]);
    expect(json[1]!.events).toHaveLength(3);
    const csv = run(['tickets', 'export', '--format', 'csv', '--since', '2000-01-01']).stdout;
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('id,type,tenant,channel,status,dueDate,deadlineSource,contact,identityVerified,verificationMethod,rejectionReason,rejectionClause,details,clauses,createdAt,updatedAt,purgedAt,events,accessLog');
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('重复申请');
    expect(rows[2]).toContain('giantkone-rules 8.3');
    for (const secret of ['11010519491231002X', 'li.lei@example.com', '13812345678']) expect(csv).not.toContain(secret);
    expect(run(['tickets', 'export', '--format', 'csv', '--since', '2999-01-01']).stdout.trimEnd().split('\r\n')).toHaveLength(1);
    expect(run(['tickets', 'export', '--format', 'xml']).code).toBe(2);
    expect(run(['tickets', 'export', '--format', 'json', '--since', '2026-13-45']).code).toBe(2);
  });

  it('ask --json reports the detected intent', () => {
    const out = JSON.parse(run(['ask', '--tenant', 'giantkone', '--json', '帮我注销账号']).stdout);
    expect(out.intent).toBe('cancel_account');
  });
});
