import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KNOWLEDGE_DIR, loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { parsePolicy, type Clause } from '../../src/knowledge/parser.ts';
import { checkStructure, formatStructureReport, summariseStructure, type StructureReport } from '../../src/knowledge/structure-check.ts';

const CAPP = join(DEFAULT_KNOWLEDGE_DIR, '../../shared/corpora/capp-130');

const check = (lines: string[]) => {
  const source = lines.join('\n');
  return checkStructure(source, parsePolicy(source, { policyId: 'x' }));
};
const kinds = (r: StructureReport) => r.problems.map((p) => `${p.kind} ${p.number}`);
const warned = (r: StructureReport) => r.warnings.map((w) => `${w.kind} ${w.number}`);

describe('structure check', () => {
  it('passes a clean policy', () => {
    const r = check(['一、收集', '1、手机号', '2、位置', '二、使用', '1、推荐']);
    expect(r).toMatchObject({ policyId: 'x', clauses: 5, problems: [], warnings: [], passed: true });
  });

  it('finds a list that starts again with nothing to tell the two apart', () => {
    const r = check(['一、收集', '1) 手机号；', '2) 位置；', '1) 设备；', '2) 日志；']);
    expect(kinds(r)).toEqual(['backwards-number 一.1)', 'duplicate-number 一.1)', 'duplicate-number 一.2)']);
    expect(r.passed).toBe(false);
  });

  it('tells numbers apart by the unnumbered heading they sit under', () => {
    expect(check(['一、收集', '【注册】', '1. 手机号；', '2. 昵称；', '【登录】', '1. 密码；']).passed).toBe(true);
  });

  it('allows a number the source writes twice in a row, and the sub-clauses under it', () => {
    const r = check(['3.1 共享', '3.1.1 经同意的共享。', '3.1.2 履行协议所必须的共享；', '3.1.2 法定情形下的共享。', '（1）与国家安全有关的；', '3.1.3 其他。']);
    expect(r.problems).toEqual([]);
    expect(warned(r)).toEqual(['repeated-number 3.1.2']);
  });

  it('takes a one-off slip in the source for a warning ("1.10 1.11 1.10 1.12")', () => {
    const r = check(['1.9 加好友。', '1.10 空间。', '1.11 运动。', '1.10 天气。', '1.12 看点。']);
    expect(r.problems).toEqual([]);
    expect(warned(r)).toEqual(['misnumbered 1.10']);
  });

  it('warns about skipped numbers and tables, in lines a person can act on', () => {
    const r = check(['1. 收集', '2. 使用', '4. 共享', '权限\t用途', '相机\t扫码', '位置\t导航']);
    expect(r.passed).toBe(true);
    expect(warned(r)).toEqual(['skipped-number 4', 'table ']);
    expect(formatStructureReport(r)).toEqual(['warning line 3 (4): skipped number: 4 after 2', 'warning line 4: table: table of 3 rows']);
    expect(formatStructureReport(check(['一、收集', '1) 手机号；', '1) 设备；']))).toEqual(['warning line 3 (一.1)): number repeated in the source: the source repeats 一.1) (line 2)']);
  });

  it('finds a heading-only clause over 200 characters and a broken coverage', () => {
    const giant = 'A'.repeat(201);
    const source = ['一、收集', '正文。'].join('\n');
    const clauses = parsePolicy(source, { policyId: 'x' });
    const withGiant: Clause[] = [...clauses, { ...clauses[0]!, clauseId: 'x#g', number: '', title: giant, text: giant, kind: 'heading' }];
    expect(kinds(checkStructure(source, withGiant))).toContain('giant-heading ');
    const missing = checkStructure(source, clauses.slice(1));
    expect(missing.problems.map((p) => p.kind)).toContain('coverage');
  });

  it('checks only the lines a policy was parsed from', () => {
    const kb = loadKnowledgeBase();
    for (const policy of kb.policies) {
      const source = readFileSync(join(kb.dir, policy.file), 'utf8');
      const report = checkStructure(source, kb.clauses.filter((c) => c.policyId === policy.id), { lines: policy.lines });
      expect(report.problems, policy.id).toEqual([]);
    }
  });

  it('passes on all 130 CAPP-130 policies', () => {
    const files = readdirSync(CAPP).filter((f) => f.endsWith('.txt'));
    const reports = files.map((f) => {
      const source = readFileSync(join(CAPP, f), 'utf8');
      return checkStructure(source, parsePolicy(source, { policyId: f.replace('.txt', '') }));
    });
    const failures = reports.filter((r) => !r.passed).map((r) => `${r.policyId}: ${r.problems.slice(0, 3).map((p) => `${p.kind} line ${p.lineStart} ${p.message}`).join('; ')}`);
    expect(failures).toEqual([]);
    const summary = summariseStructure(reports);
    expect(summary).toMatchObject({ files: 130, passing: 130 });
    expect(summary.warnings.table).toBeGreaterThan(0);
  });
});
