import { describe, expect, it } from 'vitest';
import { analyseQuery, searchTenant } from '../../src/retrieval/hybrid-retriever.ts';
import { lexicon, syntheticIndex } from './synthetic.ts';

// Sections whose clauses all sit under one heading: the first clause defines or introduces
// the topic, the later ones repeat the heading's words more often.
const index = syntheticIndex(
  [
    ['7', null, '我们如何处理儿童个人信息', '我们如何处理儿童个人信息'],
    ['7.1', '7', '', '我们将不满14周岁的任何人均视为儿童。'],
    ['7.2', '7', '', '对于经父母同意收集儿童个人信息的情况，我们只会在法律允许、父母同意或保护儿童所必要的情况下处理儿童个人信息。'],
    ['7.3', '7', '', '如果我们未经父母同意收集了儿童个人信息，会尽快删除儿童个人信息。'],
    ['8', null, '我们如何使用Cookie', '我们如何使用Cookie'],
    ['8.1', '8', '', 'Cookie是一种小数据文件，我们会在您的设备上存储Cookie。'],
    ['8.2', '8', '', '您可以管理或删除Cookie，浏览器可以阻止Cookie，阻止Cookie后部分功能不可用。'],
    ['9', null, '', '我们会收集您的设备信息和日志信息，用于保障账号安全。'],
  ],
  'demo-zh',
  { retrievableOnly: true },
);
const none = lexicon([]);
const ranking = async (question: string) =>
  (await searchTenant(index, analyseQuery(question, none, index), question, null, { k: 5, language: 'zh' })).map((r) => r.clause.number);

describe('a question about a section as a whole', () => {
  it('is answered by the section’s first clause, above siblings that repeat the heading', async () => {
    expect((await ranking('儿童的个人信息如何处理？'))[0]).toBe('7.1');
    expect((await ranking('你们怎么使用Cookie'))[0]).toBe('8.1');
  });

  it('keeps the best match when the question asks about something the heading does not name', async () => {
    // "删除" is not in the heading: the clause that speaks to it wins.
    expect((await ranking('儿童个人信息会删除吗'))[0]).toBe('7.3');
    expect((await ranking('怎么阻止Cookie'))[0]).toBe('8.2');
  });

  it('lifts the lead only up to its section’s best score, never past other sections', async () => {
    const r = await searchTenant(index, analyseQuery('儿童的个人信息如何处理？', none, index), '儿童的个人信息如何处理？', null, { k: 5, language: 'zh' });
    const lead = r.find((x) => x.clause.number === '7.1')!;
    expect(lead.score).toBeCloseTo(Math.max(...r.filter((x) => x.clause.number.startsWith('7.')).map((x) => x.score)), 10);
  });
});
