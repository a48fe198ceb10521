import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { detectMarker, isEmptyStub } from '../../src/knowledge/markers.ts';
import { clauseCharacters, parsePolicy, type Clause } from '../../src/knowledge/parser.ts';
import { stripWhitespace } from '../../src/knowledge/text.ts';

const SEEDS = join(DEFAULT_KNOWLEDGE_DIR, 'policies');
const CAPP = join(DEFAULT_KNOWLEDGE_DIR, '../../shared/corpora/capp-130');

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Every non-blank source line lies in exactly one clause, and each clause holds exactly its lines' characters. */
function coverageProblems(source: string, clauses: Clause[]): string[] {
  const lines = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const owners = new Array<number>(lines.length + 1).fill(0);
  const problems: string[] = [];
  for (const c of clauses) {
    for (let n = c.lineStart; n <= c.lineEnd; n++) if ((lines[n - 1] ?? '').trim() !== '') owners[n]!++;
    const own = lines
      .slice(c.lineStart - 1, c.lineEnd)
      .filter((l) => !isEmptyStub(l))
      .join('')
      .replace(/[\u200b\ufeff]/g, '');
    if (stripWhitespace(own) !== clauseCharacters(c)) problems.push(`${c.clauseId}: characters differ from lines ${c.lineStart}-${c.lineEnd}`);
  }
  lines.forEach((l, i) => {
    if (l.trim() !== '' && owners[i + 1] !== 1) problems.push(`line ${i + 1} belongs to ${owners[i + 1]} clauses`);
  });
  if (new Set(clauses.map((c) => c.clauseId)).size !== clauses.length) problems.push('clause ids are not unique');
  return problems;
}

describe('clause parser on the seed policies', () => {
  const kb = loadKnowledgeBase();
  const byPolicy = (id: string) => kb.clauses.filter((c) => c.policyId === id);

  it.each(readdirSync(SEEDS))('%s: every non-blank character belongs to exactly one clause', (file) => {
    const source = read(join(SEEDS, file));
    const clauses = kb.clauses.filter((c) => kb.policies.find((p) => p.id === c.policyId)?.file === `policies/${file}`);
    expect(clauses.length).toBeGreaterThan(10);
    expect(coverageProblems(source, clauses)).toEqual([]);
  });

  it('records number, heading path, text and source lines', () => {
    const clause = byPolicy('giantkone-rules').find((c) => c.number === '8.3')!;
    expect(clause.headingPath).toEqual(['8 用户的个人信息权利', '8.3 删除用户的个人信息']);
    expect(clause.title).toBe('删除用户的个人信息');
    // 001_... wraps mid-sentence: the wrapped lines come back as one sentence.
    expect(clause.text).toContain('用户可以向我们提出删除个人信息的请求');
    expect(clause.lineStart).toBeGreaterThan(100);
    expect(clause.clauseId).toBe('giantkone-rules#8.3');
  });

  it('joins letter-spaced words and hard wraps', () => {
    const clause = byPolicy('giantkone-rules').find((c) => c.number === '8.4(1)')!;
    expect(clause.text).toContain('通过公众号对话框或发送邮件至');
    expect(clause.text).not.toContain('公 众 号');
  });

  it('ignores the empty numbered stubs of 000_... §5', () => {
    const section = byPolicy('giantkone-privacy').filter((c) => c.number.startsWith('5'));
    expect(section.map((c) => c.number)).toEqual(['5', '5.1', '5.2', '5.3']);
    expect(section.every((c) => c.text.trim() !== '')).toBe(true);
  });

  it('gives the duplicated 3.1.2 of 003_... two distinct stable ids', () => {
    const dupes = byPolicy('changlian-privacy').filter((c) => c.number === '3.1.2');
    expect(dupes.map((c) => c.clauseId)).toEqual(['changlian-privacy#3.1.2', 'changlian-privacy#3.1.2~2']);
    // Stable: parsing again gives the same ids.
    const again = loadKnowledgeBase().clauses.filter((c) => c.policyId === 'changlian-privacy' && c.number === '3.1.2');
    expect(again.map((c) => c.clauseId)).toEqual(dupes.map((c) => c.clauseId));
  });

  it('keeps tables of contents out of the clause tree', () => {
    const giantkone = byPolicy('giantkone-privacy');
    expect(giantkone.filter((c) => c.kind === 'contents')).toHaveLength(1);
    expect(giantkone.filter((c) => c.number === '1')).toHaveLength(1);
    expect(byPolicy('changlian-privacy').filter((c) => c.number === '1.1').at(-1)?.headingPath[1]).toBe('一 我们如何收集和使用用户信息');
  });

  it('recognises definitions, unnumbered headings and the preamble', () => {
    const changlian = byPolicy('changlian-privacy');
    expect(changlian[0]).toMatchObject({ kind: 'preamble', title: '昶联隐私政策' });
    expect(changlian[0]!.text).toContain('最新版本生效时间:2024年8月1日');
    expect(changlian.find((c) => c.kind === 'definition' && c.title === '个人敏感信息')?.headingPath).toEqual(['定义', '个人敏感信息']);
    expect(changlian.find((c) => c.kind === 'heading' && c.title === '法律声明')).toBeDefined();
  });

  it('splits the bilingual 002_... into its Chinese and English versions', () => {
    const zh = byPolicy('smarthw-privacy-zh');
    const en = byPolicy('smarthw-privacy-en');
    expect(zh.at(-1)!.lineEnd).toBeLessThan(en[0]!.lineStart);
    expect(en.find((c) => c.number === 'Chapter 2')?.title).toBe('How we use cookies and similar technologies');
    expect(zh.find((c) => c.number === '第二章')?.title).toBe('我们如何使用 Cookie 和同类技术');
  });
});

describe('numbering schemes', () => {
  it.each([
    ['1. 总则', 'dec1', '1'],
    ['1.1. 定义', 'dec2', '1.1'],
    ['1.1定义', 'dec2', '1.1'],
    ['3.1.2 在法定情形下的共享', 'dec3', '3.1.2'],
    ['（1） 个人信息', 'paren', '(1)'],
    ['(1)个人信息', 'paren', '(1)'],
    ['1) 个人基本资料', 'rparen', '1)'],
    ['1、我们如何收集', 'arabic-dunhao', '1'],
    ['a) 与国家安全相关的', 'letter', 'a)'],
    ['一、权利归属', 'cn', '一'],
    ['（一）注册、登录账号', 'cnparen', '(一)'],
    ['第一章:我们如何收集', 'chapter', '第一章'],
    ['第十二条 附则', 'article', '第十二条'],
    ['Chapter 1: How we collect', 'en-chapter', 'Chapter 1'],
    ['I - Personal information', 'roman', 'I'],
    ['• 设备信息', 'bullet', '•'],
  ])('%s', (line, style, key) => {
    expect(detectMarker(line)).toMatchObject({ style, key });
  });

  it.each(['2024年8月1日', '100%安全', '1.5亿用户', '0572-3017777', '在以下情形中'])('%s is not a clause number', (line) => {
    expect(detectMarker(line)).toBeNull();
  });

  it('nests mixed schemes and closes them at the right level', () => {
    const text = ['第一章 总则', '一、收集', '1、手机号', '（1）用于登录', '（2）用于找回密码', '2、位置', '二、使用', '第二章 权利', '1、删除'].join('\n');
    const clauses = parsePolicy(text, { policyId: 'x' });
    const path = (n: string) => clauses.find((c) => c.number === n)?.headingPath;
    expect(path('第一章.一.1(2)')).toEqual(['第一章 总则', '第一章.一 收集', '第一章.一.1 手机号', '第一章.一.1(2) 用于找回密码']);
    expect(path('第一章.二')).toEqual(['第一章 总则', '第一章.二 使用']);
    expect(path('第二章.1')).toEqual(['第二章 权利', '第二章.1 删除']);
  });
});

describe('CAPP-130 robustness (130 real policies)', () => {
  const files = readdirSync(CAPP).filter((f) => f.endsWith('.txt'));

  it('has all 130 policies', () => {
    expect(files).toHaveLength(130);
  });

  it('parses every policy with full coverage and recognised headings', () => {
    const failures: string[] = [];
    for (const file of files) {
      const source = read(join(CAPP, file));
      const clauses = parsePolicy(source, { policyId: file.replace('.txt', '') });
      const problems = coverageProblems(source, clauses);
      if (problems.length > 0) failures.push(`${file}: ${problems[0]}`);
      const titled = clauses.filter((c) => c.title !== '' && c.kind !== 'preamble').length;
      if (titled < 3) failures.push(`${file}: only ${titled} headings recognised`);
      // No policy collapses into a few giant clauses.
      if (clauses.length < 8) failures.push(`${file}: only ${clauses.length} clauses`);
    }
    expect(failures).toEqual([]);
  });
});
