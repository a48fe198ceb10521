import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { structureOfCorpus, structureOfKnowledgeBase } from '../../src/tools/eval-structure.ts';

const dir = mkdtempSync(join(tmpdir(), 'structure-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('structure figures for npm run eval', () => {
  it('counts the policies of a corpus that pass and the kinds of problem of the others', () => {
    writeFileSync(join(dir, 'good.txt'), '一、收集\n1、手机号\n2、位置\n二、使用\n');
    writeFileSync(join(dir, 'bad.txt'), '一、收集\n1) 手机号；\n2) 位置；\n1) 设备；\n2) 日志；\n');
    writeFileSync(join(dir, 'notes.md'), 'not a policy');
    const f = structureOfCorpus(dir)!;
    expect(f).toMatchObject({ files: 2, passing: 1, failing: ['bad'] });
    expect(f.filesWith).toEqual({ 'duplicate-number': 1, 'backwards-number': 1, 'giant-heading': 0, coverage: 0 });
    expect(structureOfCorpus(join(dir, 'missing'))).toBeNull();
  });

  it('checks the knowledge base policy by policy, each on its own lines', () => {
    const f = structureOfKnowledgeBase(loadKnowledgeBase());
    expect(f).toMatchObject({ files: 6, passing: 6, failing: [] });
  });
});
