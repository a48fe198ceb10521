import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isWhatChangedQuestion } from '../../src/conversation/what-changed.ts';

describe('"what changed" questions', () => {
  it.each([
    '隐私政策最近改了什么',
    '隐私政策更新了哪些内容？',
    '你们的政策有什么变化',
    '个人信息处理规则修订了哪些地方',
    '隐私政策删除了哪些条款？',
    '隐私条款新增了什么内容',
    'what changed in the privacy policy',
    "What's new in your privacy policy?",
    'Which changes were made to the privacy policy?',
  ])('%s is one', (text) => expect(isWhatChangedQuestion(text)).toBe(true));

  it.each([
    '帮我修改个人信息',
    '隐私政策更新会通知我吗',
    '怎么修改我的手机号',
    '你们收集哪些个人信息',
    'How will you notify me of changes to the privacy policy?',
    'I want to change my email address',
  ])('%s is not', (text) => expect(isWhatChangedQuestion(text)).toBe(false));

  const EVAL = resolve(import.meta.dirname, '../../../shared/eval');
  it.skipIf(!existsSync(EVAL))('takes no development question or intent utterance for one', () => {
    const lines = ['dev-intents.jsonl', 'dev-questions.jsonl', 'capp-dev-questions.jsonl'].flatMap((f) => readFileSync(resolve(EVAL, f), 'utf8').trim().split('\n'));
    const texts = lines.map((l) => JSON.parse(l) as { text?: string; question?: string }).map((j) => j.text ?? j.question ?? '');
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.filter(isWhatChangedQuestion)).toEqual([]);
  });
});
