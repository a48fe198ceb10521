import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { addPolicy, removePolicy } from '../../src/knowledge/policy-onboarding.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';

const HTML_FIXTURE = resolve(import.meta.dirname, '../fixtures/policies/qiancheng-privacy.html');
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

describe('policy onboarding', () => {
  it('adds a saved web page as a new tenant: text and original kept, manifest entry validated, other fields untouched', async () => {
    const dir = copyKnowledge();
    // A field another feature keeps on tenants must survive the manifest rewrite.
    const manifest = manifestOf(dir);
    manifest.tenants[0].businessHours = { start: '09:00', end: '18:00' };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));

    const result = await addPolicy(dir, { file: HTML_FIXTURE, tenant: 'qc-web', name: '乾程（网页版）', effectiveDate: '2024-08-09' });
    expect(result).toMatchObject({ policyId: 'qc-web-privacy', tenantCreated: true, newVersion: false, format: 'html', file: 'policies/qc-web-privacy@2024-08-09.txt', source: 'sources/qc-web-privacy@2024-08-09.html' });
    expect(readFileSync(join(dir, result.source!), 'utf8')).toBe(readFileSync(HTML_FIXTURE, 'utf8'));
    expect(readFileSync(join(dir, result.file), 'utf8')).not.toContain('<p>');

    const after = manifestOf(dir);
    expect(after.tenants[0].businessHours).toEqual({ start: '09:00', end: '18:00' });
    expect(after.tenants.at(-1)).toEqual({ id: 'qc-web', name: '乾程（网页版）', aliases: ['乾程（网页版）', 'qc-web'] });
    expect(after.policies.at(-1)).toMatchObject({ id: 'qc-web-privacy', tenant: 'qc-web', language: 'zh', title: 'Privacy Policy', source: result.source });

    const kb = loadKnowledgeBase(dir);
    const outline = (policyId: string) => kb.clauses.filter((c) => c.policyId === policyId && c.kind !== 'preamble').map((c) => `${c.number}|${c.title}`);
    expect(outline('qc-web-privacy')).toEqual(outline('qiancheng-privacy'));
  });

  it('restores the manifest and removes the copies when the added file yields nothing', async () => {
    const dir = copyKnowledge();
    const before = readFileSync(join(dir, 'manifest.json'), 'utf8');
    const empty = join(tempDir(), 'empty.html');
    writeFileSync(empty, '<html><body><nav>菜单</nav><script>x()</script></body></html>');
    await expect(addPolicy(dir, { file: empty, tenant: 'nobody' })).rejects.toThrow(/holds no text/);
    const text = join(tempDir(), 'blank.txt');
    writeFileSync(text, '\n\n');
    await expect(addPolicy(dir, { file: text, tenant: 'nobody' })).rejects.toThrow(/holds no text/);
    expect(readFileSync(join(dir, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('a new version without a date it can read needs --effective-date', async () => {
    const dir = copyKnowledge();
    const file = join(tempDir(), 'v2.txt');
    writeFileSync(file, '1. 收集\n我们收集手机号。\n');
    await expect(addPolicy(dir, { file, tenant: 'qiancheng', policy: 'qiancheng-privacy' })).rejects.toThrow(/needs --effective-date/);
    await expect(addPolicy(dir, { file, tenant: 'qiancheng', policy: 'qiancheng-privacy', effectiveDate: '2024-08-09' })).rejects.toThrow(/already has a version effective 2024-08-09/);
  });

  it('removing one language of a shared file keeps the file the other still uses', () => {
    const dir = copyKnowledge();
    const shared = 'policies/002_83f8c652f43b02ec.txt';
    expect(removePolicy(dir, 'smarthw-privacy-en')).toEqual({ removedTenant: null, deletedFiles: [] });
    expect(existsSync(join(dir, shared))).toBe(true);
    expect(removePolicy(dir, 'smarthw-privacy-zh')).toEqual({ removedTenant: 'smarthw', deletedFiles: [shared] });
    expect(existsSync(join(dir, shared))).toBe(false);
    expect(manifestOf(dir).tenants.map((t: { id: string }) => t.id)).not.toContain('smarthw');
  });
});
