// The interpretation module: one call gives the intent, a confidence, the alternatives and the
// signals the engine routes on. Tables of phrasings written for these tests, plus the hard set
// in test/fixtures/intents (development part and held-out part).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { interpret } from '../../../src/conversation/interpret/index.ts';
import { normalise } from '../../../src/conversation/interpret/normalise.ts';
import { respell } from '../../../src/conversation/interpret/spelling.ts';
import type { Intent } from '../../../src/conversation/types.ts';

interface Item {
  id: string;
  text: string;
  intent: Intent;
  kind: string;
}

function load(name: string): Item[] {
  return readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'intents', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Item);
}

describe('the hard intent set', () => {
  // A regression guard: every part was scored unseen once (see test/fixtures/intents/README.md).
  it.each([
    ['hard-dev.jsonl', 0.97],
    ['hard-test.jsonl', 0.95],
    ['hard-test2.jsonl', 0.95],
    ['hard-test3.jsonl', 0.95],
    ['hard-test4.jsonl', 0.95],
    ['hard-test5.jsonl', 0.95],
    ['hard-test6.jsonl', 0.95],
    ['hard-test7.jsonl', 0.95],
  ] as const)('%s: accuracy at least %s, in Chinese and English', (file, bar) => {
    const items = load(file);
    expect(items.some((i) => /[\u4e00-\u9fff]/.test(i.text)) && items.some((i) => !/[\u4e00-\u9fff]/.test(i.text))).toBe(true);
    const wrong = items.filter((i) => interpret(i.text).intent !== i.intent);
    const accuracy = 1 - wrong.length / items.length;
    expect(accuracy, wrong.map((w) => `${w.id} ${w.kind} ${w.intent} -> ${interpret(w.text).intent}  ${w.text}`).join('\n')).toBeGreaterThanOrEqual(bar);
  });

  it('has at least 300 utterances, and no two parts share one', () => {
    const parts = ['hard-dev', 'hard-test', 'hard-test2', 'hard-test3', 'hard-test4', 'hard-test5', 'hard-test6', 'hard-test7'].map((p) => load(`${p}.jsonl`));
    const texts = parts.flat().map((i) => i.text);
    expect(texts.length).toBeGreaterThanOrEqual(300);
    expect(new Set(texts).size).toBe(texts.length);
  });
});

describe('the failures reported in issue 10', () => {
  it.each([
    ['谢谢', 'greeting'],
    ['我的快递到哪了', 'other'],
    ['Do you share my data with your agents?', 'question'],
  ] as const)('%s -> %s', (text, intent) => {
    expect(interpret(text).intent).toBe(intent);
  });

  it('does not start a portability form for someone who moved house', () => {
    expect(interpret('I moved to a new city').intent).not.toBe('port_data');
    expect(interpret('I moved to a new city, my address in your records needs to change').intent).toBe('correct_data');
  });
});

describe('social talk', () => {
  it.each([
    ['谢谢', 'thanks'],
    ['好的，谢谢你', 'thanks'],
    ['明白了，多谢解答', 'thanks'],
    ['thanks, that helps', 'thanks'],
    ['拜拜', 'bye'],
    ['ok bye', 'bye'],
    ['你好', 'hello'],
    ['hi there', 'hello'],
  ] as const)('%s is a greeting of kind %s', (text, social) => {
    const meaning = interpret(text);
    expect(meaning.intent).toBe('greeting');
    expect(meaning.social).toBe(social);
  });

  it('does not take a request with thanks for thanks', () => {
    expect(interpret('请删除我的个人信息，谢谢').intent).toBe('delete_data');
    expect(interpret('Thanks, and please close my account').intent).toBe('cancel_account');
  });
});

describe('customer-service matters', () => {
  it.each([
    ['我的快递到哪了', 'delivery'],
    ['怎么申请退货退款', 'refund'],
    ['密码忘了怎么办', 'password'],
    ['我的订单怎么还没发货', 'delivery'],
    ['Where is my package?', 'delivery'],
    ['I want a refund for my last order', 'refund'],
    ['How do I reset my password?', 'password'],
  ] as const)('%s is off-topic (%s)', (text, topic) => {
    const meaning = interpret(text);
    expect(meaning.intent).toBe('other');
    expect(meaning.service).toBe(topic);
  });

  it('keeps a privacy question that names a service a question', () => {
    expect(interpret('你们会把我的收货地址给快递公司吗？').intent).toBe('question');
    expect(interpret('Do you share my address with the courier?').intent).toBe('question');
    expect(interpret('请删除我的历史订单记录').intent).toBe('delete_data');
  });
});

describe('ticket follow-ups', () => {
  it.each([
    ['DEL-20261202-0002 进度怎么样了？', { kind: 'status', ticketId: 'DEL-20261202-0002' }],
    ['帮我查一下 can-20261125-0003', { kind: 'status', ticketId: 'CAN-20261125-0003' }],
    ["what's happening with COR-20261128-0007?", { kind: 'status', ticketId: 'COR-20261128-0007' }],
    ['取消申请 DEL-20261122-0004', { kind: 'withdraw', ticketId: 'DEL-20261122-0004' }],
    ['please cancel POR-20261119-0002', { kind: 'withdraw', ticketId: 'POR-20261119-0002' }],
  ] as const)('%s is request_status with %o', (text, followUp) => {
    const meaning = interpret(text);
    expect(meaning.intent).toBe('request_status');
    expect(meaning.followUp).toEqual(followUp);
    expect(meaning.clarify).toBeNull();
  });
});

describe('confidence and clarification', () => {
  it.each(['删除个人信息', '销户', '导出个人信息', '数据迁移到另一个账号'])('asks about the bare topic %s', (text) => {
    const meaning = interpret(text);
    expect(meaning.clarify).not.toBeNull();
    expect(meaning.clarify).toContain('question');
    expect(meaning.confidence).toBeLessThan(0.6);
  });

  it.each(['帮我删除我的个人信息', '我要注销账号', 'Please delete all my data', '怎么删除个人信息？', 'I want to close my account and delete everything'])(
    'acts on the clear %s',
    (text) => {
      expect(interpret(text).clarify).toBeNull();
    },
  );

  it('never asks inside a form', () => {
    expect(interpret('删除个人信息', { inForm: true }).clarify).toBeNull();
  });

  it('ranks the alternatives and is surer of a clear case', () => {
    const clear = interpret('转人工');
    const vague = interpret('删除个人信息');
    expect(clear.confidence).toBeGreaterThan(vague.confidence);
    expect(vague.alternatives[0]!.intent).toBe('question');
    const total = vague.confidence + vague.alternatives.reduce((s, a) => s + a.confidence, 0);
    expect(total).toBeLessThanOrEqual(1.001);
  });
});

describe('what the engine routes on', () => {
  it('names the right a question is about', () => {
    expect(interpret('怎么注销账号？').right).toBe('cancel_account');
    expect(interpret('How do I withdraw my consent?').right).toBe('withdraw_consent');
    expect(interpret('你们收集哪些个人信息？').right).toBeNull();
  });

  it('reads form replies', () => {
    expect(interpret('确认').form.confirm).toBe(true);
    expect(interpret('OK!').form.confirm).toBe(true);
    expect(interpret('不').form.decline).toBe(true);
    expect(interpret('算了').form.cancel).toBe(true);
    expect(interpret('never mind').form.cancel).toBe(true);
    expect(interpret('全部个人信息').form).toEqual({ confirm: false, decline: false, cancel: false, interrogative: false });
    expect(interpret('要多久？').asks).toBe(true);
  });

  it('recognises erasing the chat with the bot, not a rights request', () => {
    expect(interpret('删除我的聊天记录').erasesChatHistory).toBe(true);
    expect(interpret('How do I delete my chat history?').erasesChatHistory).toBe(false);
    expect(interpret('删除我的个人信息').erasesChatHistory).toBe(false);
  });

  it('replies in the language of the message, keeping the conversation’s for input with none', () => {
    expect(interpret('delete my data').language).toBe('en');
    expect(interpret('删除我的数据').language).toBe('zh');
    expect(interpret('13812345678', { language: 'en' }).language).toBe('en');
    expect(interpret('ok', { inForm: true, language: 'zh' }).language).toBe('zh');
    expect(interpret('shanchu wo de geren xinxi').language).toBe('zh');
  });
});

describe('normalisation', () => {
  it.each([
    ['shanchu wo de geren xinxi', '删除我的个人信息'],
    ['zhuan rengong', '转人工'],
    ['Xiexie', '谢谢'],
    ['請刪除我的個人資料', '请删除我的个人资料'],
    ['我要注消账号', '我要注销账号'],
    ['转认工', '转人工'],
    ['plese delet my acount', 'please delete my account'],
    ['i want my personl infomation removed', 'i want my personal information removed'],
    ['ＰＬＥＡＳＥ　ＤＥＬＥＴＥ', 'please delete'],
  ])('%s -> %s', (raw, text) => {
    expect(normalise(raw).text).toBe(text);
  });

  it('never reads English as pinyin', () => {
    for (const text of ['you', 'hi', 'no', 'ok bye', 'delete my data', 'a man', 'hang on', 'ma']) expect(normalise(text).pinyin).toBe(false);
  });

  it('leaves every word of the bundled policies alone', () => {
    const dir = join(import.meta.dirname, '..', '..', '..', 'knowledge', 'policies');
    const policy = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n')
      .toLowerCase();
    const words = [...new Set(policy.match(/[a-z]+/g) ?? [])];
    expect(words.length).toBeGreaterThan(300);
    // "informatio" is "information" cut by a line break in the source: the one slip there is.
    expect(words.filter((w) => respell(w) !== w)).toEqual(['informatio']);
  });

  it('leaves ticket ids and emails alone', () => {
    expect(respell('acc-20261130-0011 name@exampel.com')).toBe('acc-20261130-0011 name@exampel.com');
  });
});
