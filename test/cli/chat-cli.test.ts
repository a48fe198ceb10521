// The chat and tickets commands, run as a user would: the real binary, one process per
// command, a shared data directory so tickets filed in a chat are seen by `tickets`.

import { spawnSync } from 'node:child_process';
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
    expect(Object.keys(out[0].replies[0].citations[0]).sort()).toEqual(['clauseId', 'number', 'policyId', 'text', 'title']);
    expect(out[1].intent).toBe('delete_data');
    expect(out[2]).toMatchObject({ replies: [], duplicate: true });
    expect(out[5].ticketId).toMatch(/^DEL-\d{8}-0001$/);
    ticketId = out[5].ticketId;
    expect(out[6].error.code).toBe('invalid_input');
    expect(out[7].replies[0].text).not.toContain(ticketId);
  });

  it('tickets list/show/update follow the workflow and keep the contact masked', () => {
    const list = JSON.parse(run(['tickets', 'list', '--tenant', 'giantkone', '--json']).stdout);
    expect(list.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    expect(list[0]).toMatchObject({ status: 'submitted', contact: '138****5678', dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), policyStatesDeadline: true });

    const bad = run(['tickets', 'update', ticketId, '--status', 'completed', '--by', 'li']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/cannot become completed/);
    expect(run(['tickets', 'update', ticketId, '--status', 'rejected']).stderr).toMatch(/needs a reason/);
    expect(run(['tickets', 'update', ticketId, '--status', 'verifying_identity', '--by', 'li', '--note', 'sms sent']).code).toBe(0);

    const shown = JSON.parse(run(['tickets', 'show', ticketId, '--json']).stdout);
    expect(shown.contact).toBe('138****5678');
    expect(shown.events.map((e: { to: string; actor: string }) => `${e.to}:${e.actor}`)).toEqual(['submitted:user:u1', 'verifying_identity:agent:li']);
    expect(JSON.parse(run(['tickets', 'show', ticketId, '--json', '--reveal-contact']).stdout).contact).toBe('13812345678');
    expect(run(['tickets', 'list', '--status', 'in_progress', '--json']).stdout.trim()).toBe('[]');
    expect(run(['tickets', 'list', '--status', 'bogus']).code).toBe(2);
    expect(run(['tickets', 'show', 'DEL-20000101-0001']).code).toBe(2);
  });

  it('ask --json reports the detected intent', () => {
    const out = JSON.parse(run(['ask', '--tenant', 'giantkone', '--json', '帮我注销账号']).stdout);
    expect(out.intent).toBe('cancel_account');
  });
});
