import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { detectMarker } from '../../src/knowledge/markers.ts';
import { parsePolicy, type Clause } from '../../src/knowledge/parser.ts';
import { coverageProblems as coverage } from '../../src/knowledge/structure-check.ts';

const SEEDS = join(DEFAULT_KNOWLEDGE_DIR, 'policies');
const CAPP = join(DEFAULT_KNOWLEDGE_DIR, '../../shared/corpora/capp-130');

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

/** Every non-blank source line lies in exactly one clause, and each clause holds exactly its lines' characters. */
function coverageProblems(source: string, clauses: Clause[]): string[] {
  return coverage(source, clauses).map((p) => (p.clauseId ? `${p.clauseId}: ${p.message}` : p.message));
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

/** The numbers of the numbered clauses, in order. */
function outline(text: string): string[] {
  return parsePolicy(text, { policyId: 'x' })
    .filter((c) => c.number !== '')
    .map((c) => c.number);
}

describe('numbering schemes in made-up policies', () => {
  it.each([
    ['一、 with 1、 inside', ['一、收集', '1、手机号', '2、位置', '二、使用', '1、推荐'], ['一', '一.1', '一.2', '二', '二.1']],
    ['（一） closes the 1、 list it follows', ['一、收集', '1、为实现基本功能，您须提供信息。', '2、为实现附加功能，您可选择提供。', '（一）注册账号', '1、手机号', '（二）定位', '1、位置'], ['一', '一.1', '一.2', '一(一)', '一(一).1', '一(二)', '一(二).1']],
    ['1. with 1.1 relative to its chapter', ['三、我们如何收集', '4. 通常情况下，我们会在以下场景中收集：', '4.1 账号注册', '四、我们如何共享', '4. 例外情形如下：', '4.1 为订立合同所必需；'], ['三', '三.4', '三.4.1', '四', '四.4', '四.4.1']],
    ['1.1 under a plain 8.', ['8. 用户的权利', '8.1 查阅', '8.2 删除', '9. 联系我们'], ['8', '8.1', '8.2', '9']],
    ['1) after a sentence starts a new list', ['15、其他服务', '1）基于位置的推荐：我们会收集位置。', '2）基于相机的功能：我们会使用相机。', '除此以外，我们还需要以下权限：', '1）网络权限：联网。', '2）悬浮窗权限：直播。'], ['15', '15.1)', '15.2)', '15.1)', '15.2)']],
    ['（1） and (1) as two levels', ['4、共享', '（1）共享', '1．我们会向以下方提供：', '(1) 事先获得您同意的；', '(2) 法律要求的；', '2．其他情形。', '（2）转让', '1．事先获得您同意；'], ['4', '4(1)', '4(1).1', '4(1).1(1)', '4(1).1(2)', '4(1).2', '4(2)', '4(2).1']],
    ['① inside （1）', ['（1）设备信息', '①设备型号', '②操作系统', '（2）日志信息'], ['(1)', '(1).①', '(1).②', '(2)']],
    ['第X条 with decimals', ['第一条 序言', '1.1 学习通由我们运营。', '1.2 本政策适用于学习通。', '第二条 信息的收集', '2.1 账户注册'], ['第一条', '1.1', '1.2', '第二条', '2.1']],
    ['Chapter / Section', ['Chapter 1: How we collect', 'Section 1 Account', 'Section 2 Device', 'Chapter 2: How we share'], ['Chapter 1', 'Chapter 1.Section 1', 'Chapter 1.Section 2', 'Chapter 2']],
    ['"N    text" numbers (微博)', ['一、我们如何收集', '1     您自愿向我们提供的个人信息', '1.1    注册和登录账号', '1.2    发布与互动', '2     我们间接收集的个人信息', '二、Cookie', '1     Cookie可以帮助网站辨认注册用户。', '1.1    保障产品的安全。'], ['一', '一.1', '一.1.1', '一.1.2', '一.2', '二', '二.1', '二.1.1']],
    ['"一、" and "一." as two levels (Keep)', ['一、我们如何收集', '一. 基本业务功能', '二. 扩展功能', '二、我们如何共享', '1. 委托处理'], ['一', '一.一', '一.二', '二', '二.1']],
    ['mixed delimiters continue one list', ['三、共享', '1、共享', '2、向合作方共享', '3.我们与第三方共享的信息见清单。', '4、转让'], ['三', '三.1', '三.2', '三.3', '三.4']],
  ])('%s', (_name, lines, expected) => {
    expect(outline(lines.join('\n'))).toEqual(expected);
  });

  it('reads "2.3.5. 日历信息" and "1.4.2 日志信息" as clauses, "1.5亿" and "3日内" as quantities', () => {
    expect(detectMarker('2.3.5.  日历信息:我们将收集您的日历信息')).toMatchObject({ key: '2.3.5' });
    expect(detectMarker('1.4.2 日志信息')).toMatchObject({ key: '1.4.2' });
    expect(detectMarker('3日内答复')).toBeNull();
    expect(detectMarker('15 个工作日内回复')).toBeNull();
  });

  it('turns a tab-separated table into a table clause with its rows, one child clause per row', () => {
    const text = ['2.1 传感器应用场景声明', '传感器类型\t中文名\t应用场景\t接收方', 'TYPE_STEP_COUNTER\t计步传感器\t每日步数\tKeep', 'TYPE_GYROSCOPE\t陀螺仪\t户外跑步\tKeep', '我们不会将传感器数据用于其他目的。'].join('\n');
    const clauses = parsePolicy(text, { policyId: 'x' });
    const table = clauses.find((c) => c.kind === 'table' && c.rows?.length === 3)!;
    expect(table.rows).toEqual([
      ['传感器类型', '中文名', '应用场景', '接收方'],
      ['TYPE_STEP_COUNTER', '计步传感器', '每日步数', 'Keep'],
      ['TYPE_GYROSCOPE', '陀螺仪', '户外跑步', 'Keep'],
    ]);
    expect(table.title).toBe('');
    expect(table.parentId).toBe('x#2.1');
    const rows = clauses.filter((c) => c.parentId === table.clauseId);
    expect(rows.map((r) => [r.kind, r.title, r.rows])).toEqual([
      ['table', 'TYPE_STEP_COUNTER', [table.rows![0], table.rows![1]]],
      ['table', 'TYPE_GYROSCOPE', [table.rows![0], table.rows![2]]],
    ]);
    // The sentence after the table is a paragraph of its own, not a part of the last row.
    expect(clauses.at(-1)).toMatchObject({ kind: 'paragraph', text: '我们不会将传感器数据用于其他目的。', parentId: 'x#2.1' });
  });

  it('keeps a cell that runs over several lines in its row (小红书 capp-053)', () => {
    const text = ['设备权限\t对应业务功能\t是否可关闭', '相机\t1.直播', '2.内容笔记', '3.扫一扫\t可以', '通知\t系统通知\t可以'].join('\n');
    const table = parsePolicy(text, { policyId: 'x' }).find((c) => c.kind === 'table')!;
    expect(table.rows).toEqual([
      ['设备权限', '对应业务功能', '是否可关闭'],
      ['相机', '1.直播 2.内容笔记 3.扫一扫', '可以'],
      ['通知', '系统通知', '可以'],
    ]);
  });

  it('splits a long preamble into its paragraphs and keeps a short one whole', () => {
    const para = (n: number) => `第${n}段：${'我们非常重视您的个人信息和隐私保护。'.repeat(20)}`;
    const long = parsePolicy(['隐私政策', '引言', para(1), para(2), para(3), '一、我们如何收集'].join('\n'), { policyId: 'x' });
    expect(long.filter((c) => c.kind === 'paragraph').map((c) => c.text.slice(0, 3))).toEqual(['第2段', '第3段']);
    const short = parsePolicy(['隐私政策', '引言', '第1段：欢迎使用。', '第2段：请仔细阅读。', '一、我们如何收集', '1、手机号'].join('\n'), { policyId: 'x' });
    expect(short.filter((c) => c.kind === 'paragraph')).toEqual([]);
  });
});

describe('CAPP-130 cases named in issue 11', () => {
  const parse = (id: string) => parsePolicy(read(join(CAPP, `${id}.txt`)), { policyId: id });

  it('微博 capp-062: "N    text" items are clauses of their own; no two clauses are numbered 1.1', () => {
    const clauses = parse('capp-062');
    expect(clauses.filter((c) => c.number === '1.1')).toEqual([]);
    expect(clauses.find((c) => c.number === '四.5')?.text).toMatch(/^网络环境中始终存在各种信息泄漏的风险/);
    expect(clauses.find((c) => c.number === '一.1.1')?.title).toBe('注册和登录账号');
    expect(new Set(clauses.filter((c) => c.kind === 'numbered').map((c) => c.number)).size).toBe(clauses.filter((c) => c.kind === 'numbered').length);
  });

  it('拼多多 capp-068: 2.3.5 日历信息 is not merged into 2.3.4', () => {
    const clauses = parse('capp-068');
    expect(clauses.find((c) => c.number === '2.3.5')?.title).toBe('日历信息');
    expect(clauses.find((c) => c.number === '2.3.4')?.text).not.toContain('日历信息');
  });

  it('Keep capp-004: the sensor table is a table clause with rows, not a giant heading', () => {
    const clauses = parse('capp-004');
    const table = clauses.find((c) => c.kind === 'table' && c.rows?.[0]?.[0] === '传感器类型')!;
    expect(table.rows).toHaveLength(7);
    expect(table.rows![1]).toEqual(['TYPE_STEP_COUNTER', '计步传感器', '每日步数数据访问，帮助用户记录日常行走，用户可自主上传离线步数数据', 'Keep']);
    expect(clauses.every((c) => c.title.length <= 200)).toBe(true);
    expect(clauses.find((c) => c.number === '1.4.2')?.title).toBe('日志信息');
  });

  it('JJ斗地主 capp-003: the contact email is in a paragraph, not in a 1,000-character preamble', () => {
    const clauses = parse('capp-003');
    const withEmail = clauses.filter((c) => c.text.includes('privacy@service.jj.cn'));
    expect(withEmail.length).toBeGreaterThan(0);
    expect(Math.min(...withEmail.map((c) => c.text.length))).toBeLessThan(700);
    expect(clauses.filter((c) => c.lineEnd < 30 && c.kind === 'paragraph').length).toBeGreaterThanOrEqual(3);
  });
});
