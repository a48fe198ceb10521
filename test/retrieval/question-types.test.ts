import { describe, expect, it } from 'vitest';
import { analyseQuery, asksForList, searchTenant } from '../../src/retrieval/hybrid-retriever.ts';
import { lexicon, syntheticIndex } from './synthetic.ts';

const index = syntheticIndex([
  ['1', null, '', '我们会收集以下个人信息：'],
  ['1.1', '1', '', '设备信息：您的设备型号、操作系统版本。'],
  ['1.2', '1', '', '账号信息：您的手机号码。'],
  ['2', null, '', '收集个人信息须经您同意，我们不会超范围收集个人信息。'],
  ['3', null, '', '在以下情形中，我们共享个人信息无需征得您的同意：'],
  ['3.1', '3', '', '与国家安全直接相关的；'],
  ['4', null, '', '我们与合作伙伴共享个人信息前，会征得您的同意。'],
]);
const none = lexicon([]);
const top = async (question: string) =>
  (await searchTenant(index, analyseQuery(question, none, index), question, null, { k: 3, language: 'zh' }))[0]!.clause.number;

describe('questions that ask for a list', () => {
  it('recognises enumeration questions, not reasons, times or definitions', () => {
    for (const q of ['你们收集哪些个人信息？', '什么情况下共享不需要我同意', '你们会和谁共享我的信息', '收集我的信息用于什么', 'Which partners receive my data?']) {
      expect(asksForList(q), q).toBe(true);
    }
    for (const q of ['为什么收集我的信息', '这个政策什么时候生效', '个人敏感信息是什么意思', '如何删除个人信息', 'What is a cookie?']) {
      expect(asksForList(q), q).toBe(false);
    }
  });

  it('ranks the clause that introduces a list above clauses that merely repeat the words', async () => {
    expect(await top('你们收集哪些个人信息？')).toBe('1');
    expect(await top('什么情况下共享个人信息不需要同意')).toBe('3');
  });

  it('leaves other questions alone', async () => {
    expect(await top('收集个人信息需要我同意吗')).toBe('2');
  });
});
