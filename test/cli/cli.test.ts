import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/assistant.ts';

const BIN = resolve(import.meta.dirname, '../../src/cli/privacy-bot.mjs');
const dataDir = tempDir();

function run(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  const ingest = run(['ingest']);
  expect(ingest.code, ingest.stderr).toBe(0);
});

describe('privacy-bot command line', () => {
  it('search --json prints ranked clauses', () => {
    const { code, stdout } = run(['search', '--tenant', 'giantkone', '--k', '3', '--json', '如何注销账号']);
    expect(code).toBe(0);
    const hits = JSON.parse(stdout) as Record<string, unknown>[];
    expect(hits).toHaveLength(3);
    expect(Object.keys(hits[0]!).sort()).toEqual(['clauseId', 'number', 'policyId', 'score', 'text', 'title']);
  });

  it('ask --json prints the answer contract', () => {
    const { code, stdout } = run(['ask', '--tenant', 'changlian', '--json', '如何获取个人信息副本']);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ intent: 'question', answerable: true, answer: expect.stringContaining('[1]') });
    expect(Object.keys(answer.citations[0]).sort()).toEqual(['clauseId', 'effectiveDate', 'number', 'policyId', 'text', 'title']);
    // changlian's policy states when it took effect; the citation carries the version's date.
    expect(answer.citations[0].effectiveDate).toBe('2024-08-01');
    expect(answer.citations.some((c: { text: string }) => c.text.includes('个人信息副本'))).toBe(true);
  });

  it('--jsonl answers a batch in one process, one line per input, errors per line', () => {
    const input = [
      { id: 'a', tenant: 'giantkone', question: '你们会和谁共享我的信息' },
      { id: 'b', tenant: 'nobody', question: '你好' },
      { id: 'c', tenant: 'qiancheng', question: '' },
    ]
      .map((l) => JSON.stringify(l))
      .concat(['not json'])
      .join('\n');
    const ask = run(['ask', '--jsonl'], input);
    expect(ask.code).toBe(0);
    const lines = ask.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(['a', 'b', 'c', null]);
    expect(lines[0]).toMatchObject({ intent: 'question', answerable: true });
    expect(lines[1].error.code).toBe('unknown_tenant');
    expect(lines[2].error.code).toBe('invalid_input');
    expect(lines[3].error.code).toBe('invalid_input');

    const search = run(['search', '--jsonl', '--k', '2'], JSON.stringify({ id: 7, tenant: 'smarthw', question: 'cookies' }));
    const line = JSON.parse(search.stdout);
    expect(line.id).toBe(7);
    expect(line.results).toHaveLength(2);
  });

  it('parse FILE --json prints the clause list with its path', () => {
    const { code, stdout } = run(['parse', 'knowledge/policies/003_3a06f27cab6bc51d.txt', '--json']);
    expect(code).toBe(0);
    const clauses = JSON.parse(stdout);
    expect(clauses[0]).toMatchObject({ path: 'knowledge/policies/003_3a06f27cab6bc51d.txt', kind: 'preamble' });
    expect(clauses.some((c: { number: string }) => c.number === '4.5')).toBe(true);
  });

  it.each([
    [['ask', '--tenant', 'nobody', 'hello']],
    [['ask', '--tenant', 'giantkone', '   ']],
    [['search', '--tenant', 'giantkone', '--k', '0', 'x']],
    [['ask', 'no tenant given']],
  ])('exits 2 with a clear message on bad input: %j', (args) => {
    const { code, stderr } = run(args);
    expect(code).toBe(2);
    expect(stderr.trim().length).toBeGreaterThan(0);
  });
});
