// `privacy-bot policy ...` end to end, as a company would use it: a new company's policy
// added to a copy of the knowledge directory, asked about, given a second version, asked
// what changed, listed, checked and removed. Nothing is edited by hand.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';

const CAPP = resolve(import.meta.dirname, '../../../shared/corpora/capp-130/capp-010.txt');
const knowledgeDir = copyKnowledge();
const dataDir = tempDir();
const saved = { ...process.env };

// In process (the commands are the same `main` the binary runs): a spawn per command costs
// seconds on a busy machine. The CLI reads its configuration from this worker's environment.
beforeAll(() => Object.assign(process.env, { KNOWLEDGE_DIR: knowledgeDir, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }));
afterAll(() => {
  for (const key of ['KNOWLEDGE_DIR', 'DATA_DIR', 'LOG_LEVEL']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void out.push(parts.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void err.push(parts.join(' ')));
  try {
    const code = await main(args);
    return { code, stdout: out.map((l) => `${l}\n`).join(''), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

type AskJson = { answerable: boolean; answer: string; citations: { policyId: string; clauseId: string; text: string; effectiveDate: string | null }[] };

const askJson = async (tenant: string, question: string): Promise<AskJson> => {
  const r = await run(['ask', '--tenant', tenant, '--json', question]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as AskJson;
};

describe.skipIf(!existsSync(CAPP))('privacy-bot policy', async () => {
  it('adds a new company, answers for it, takes a second version and says what changed', async () => {
    const add = await run(['policy', 'add', CAPP, '--tenant', 'wps', '--name', 'WPS', '--company', '珠海金山办公软件有限公司']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toContain('added policy wps-privacy for tenant wps (new tenant)');
    expect(add.stdout).toMatch(/outline:\n {2}WPS隐私政策/);
    expect(add.stdout).toContain('存储期限');
    // The parser's structure check, as `npm run eval` and the CAPP-130 test judge a parse.
    expect(add.stdout).toMatch(/\nstructure(: no problems, no warnings| \(0 problems, \d+ warnings\):)\n/);
    expect(add.stdout).toMatch(/health:\nWPS \(wps\)\n {2}wps-privacy "WPS隐私政策": \d+\/17 elements stated/);
    expect(readFileSync(join(knowledgeDir, 'policies/wps-privacy@2022-05-24.txt'), 'utf8')).toBe(readFileSync(CAPP, 'utf8'));

    const first = await askJson('wps', '你们会把我的信息保存多久');
    expect(first.answerable).toBe(true);
    expect(first.citations[0]).toMatchObject({ policyId: 'wps-privacy', effectiveDate: '2022-05-24' });
    expect(first.answer).toContain('2022-05-24 起施行版');

    // The company amends its retention clause; the new file states its own effective date.
    const amended = join(tempDir(), 'wps-2023.txt');
    writeFileSync(
      amended,
      readFileSync(CAPP, 'utf8')
        .replace('最短期限内保留您的个人信息', '最短期限内保留您的个人信息，且最长不超过三年')
        .replace('生效日期：2022年05月24日', '生效日期：2023年01月01日'),
    );
    const second = await run(['policy', 'add', amended, '--tenant', 'wps', '--policy', 'wps-privacy']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('added new version effective 2023-01-01 of wps-privacy');

    const now = await askJson('wps', '你们会把我的信息保存多久');
    const changed = await askJson('wps', '隐私政策最近改了什么');
    const past = await askJson('wps', '2022年的政策里你们会把我的信息保存多久');
    expect(now.citations[0]).toMatchObject({ policyId: 'wps-privacy', effectiveDate: '2023-01-01' });
    expect(now.citations[0]!.text).toContain('最长不超过三年');

    expect(changed.answerable).toBe(true);
    expect(changed.answer).toContain('（2023-01-01 起施行）与上一版（2022-05-24）相比');
    expect(changed.answer).toMatch(/【保存期限】修改：存储期限：.*最长不超过三年/);
    expect(changed.citations[0]).toMatchObject({ clauseId: 'wps-privacy#h:存储期限', effectiveDate: '2023-01-01' });

    expect(past.citations[0]).toMatchObject({ policyId: 'wps-privacy', effectiveDate: '2022-05-24' });
    expect(past.citations[0]!.text).not.toContain('最长不超过三年');

    const list = await run(['policy', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: 'wps-privacy', tenant: 'wps', tenantName: 'WPS', effectiveDate: '2023-01-01', versions: 2 })]),
    );
    const show = await run(['policy', 'show', 'wps-privacy', '--json']);
    expect(JSON.parse(show.stdout).versions.map((v: { effectiveDate: string; inForce: boolean }) => [v.effectiveDate, v.inForce])).toEqual([
      ['2022-05-24', false],
      ['2023-01-01', true],
    ]);

    // The earlier version stays readable.
    const old = JSON.parse((await run(['policy', 'show', 'wps-privacy', '--version', '2022-05-24', '--json'])).stdout);
    expect(old).toMatchObject({ effectiveDate: '2022-05-24', file: 'policies/wps-privacy@2022-05-24.txt' });
    expect(old.outline).toContainEqual(expect.objectContaining({ clauseId: 'wps-privacy@2022-05-24#h:存储期限', title: '存储期限' }));

    const remove = await run(['policy', 'remove', 'wps-privacy']);
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toContain('removed wps-privacy and tenant wps');
    expect(existsSync(join(knowledgeDir, 'policies/wps-privacy@2022-05-24.txt'))).toBe(false);
    expect(JSON.parse((await run(['policy', 'list', '--json'])).stdout).map((p: { tenant: string }) => p.tenant)).not.toContain('wps');
  });

  it('policy check --json says smarthw states no response deadline and its rights chapter is empty', async () => {
    const r = await run(['policy', 'check', '--tenant', 'smarthw', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [report] = JSON.parse(r.stdout);
    const zh = report.policies.find((p: { policyId: string }) => p.policyId === 'smarthw-privacy-zh');
    expect(zh.missing).toContain('response_deadline');
    expect(zh.emptyChapters[0]).toMatchObject({ number: '第五章', title: '您的权利' });
  });

  it('refuses bad input with exit code 2 and leaves the manifest alone', async () => {
    const before = readFileSync(join(knowledgeDir, 'manifest.json'), 'utf8');
    expect((await run(['policy', 'add', '/nonexistent/file.txt', '--tenant', 'acme'])).code).toBe(2);
    expect((await run(['policy', 'add', CAPP, '--tenant', 'Bad Id'])).code).toBe(2);
    expect((await run(['policy', 'add', CAPP, '--tenant', 'acme', '--policy', 'giantkone-rules'])).stderr).toContain('belongs to tenant "giantkone"');
    expect((await run(['policy', 'remove', 'nope'])).code).toBe(2);
    expect(readFileSync(join(knowledgeDir, 'manifest.json'), 'utf8')).toBe(before);
  });
});
