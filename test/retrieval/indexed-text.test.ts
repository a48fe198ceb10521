import { describe, expect, it } from 'vitest';
import type { Clause } from '../../src/knowledge/parser.ts';
import { indexedText } from '../../src/retrieval/index-store.ts';

const clause = (over: Partial<Clause>): Clause => ({
  policyId: 'demo-zh',
  clauseId: 'demo-zh#8.3',
  number: '8.3',
  label: '8.3 ',
  title: '',
  headingPath: [],
  text: '',
  lineStart: 1,
  lineEnd: 1,
  parentId: null,
  depth: 1,
  kind: 'numbered',
  ...over,
});
const count = (text: string, word: string) => text.split(word).length - 1;

describe('indexed text', () => {
  it('carries a titled clause’s title through its heading path and text, not a third time', () => {
    const c = clause({ title: '删除个人信息', headingPath: ['8 用户的权利', '8.3 删除个人信息'], text: '删除个人信息 在以下情形中，您可以提出删除请求：', kind: 'heading' });
    expect(count(indexedText(c), '删除个人信息')).toBe(2);
  });

  it('keeps a title that neither the headings nor the text carry', () => {
    const c = clause({ title: '儿童', headingPath: ['8 特殊人群'], text: '我们不收集不满14周岁用户的信息。', kind: 'heading' });
    expect(indexedText(c)).toContain('儿童');
  });

  it('indexes a child under its parents’ headings', () => {
    const c = clause({ headingPath: ['8 用户的权利', '8.3 删除个人信息'], text: '您撤回同意；' });
    expect(indexedText(c)).toContain('用户的权利 删除个人信息');
  });
});
