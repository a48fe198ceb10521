import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BaseRetriever } from '@langchain/core/retrievers';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';
import { CorpusEmbeddings } from '../../src/retrieval/corpus-embeddings.ts';
import { HybridRetriever } from '../../src/retrieval/hybrid-retriever.ts';
import { Lexicon } from '../../src/retrieval/lexicon.ts';
import { analyze } from '../../src/retrieval/tokenizer.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';

let assistant: PolicyAssistant;
beforeAll(async () => {
  assistant = await PolicyAssistant.open(loadConfig({ DATA_DIR: tempDir() }));
});

describe('tokenizer', () => {
  it('produces jieba words, character bigrams and English stems', () => {
    const { words, bigrams } = analyze('我们如何删除Cookies？');
    expect(words).toContain('删除');
    expect(words).toContain('cooki');
    expect(analyze('cookie policy').words).toEqual(analyze('cookies policies').words);
    expect(words).not.toContain('如何');
    expect(bigrams).toContain('~删除');
  });
});

describe('lexicon', () => {
  it('maps everyday Chinese and English to policy vocabulary', () => {
    const lexicon = Lexicon.load(assistant.kb.dir);
    const expanded = (q: string) => lexicon.match(q).flatMap((m) => m.expand);
    expect(expanded('把我的资料删掉')).toContain('删除');
    expect(expanded('小孩的信息')).toEqual(expect.arrayContaining(['儿童']));
    expect(expanded('会传到国外吗')).toEqual(expect.arrayContaining(['境外']));
    expect(expanded('please delete my data')).toContain('删除');
  });
});

describe('hybrid search', () => {
  it('finds the clause that answers a plain question, best first', async () => {
    const hits = await assistant.search('giantkone', '我怎么删除我的个人信息？', 3);
    expect(hits[0]).toMatchObject({ policyId: expect.stringMatching(/^giantkone-/) });
    expect(hits.some((h) => h.text.includes('提出删除个人信息的请求'))).toBe(true);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('bridges colloquial words through the lexicon', async () => {
    const hits = await assistant.search('qiancheng', '小孩的资料你们怎么管', 3);
    expect(hits.some((h) => h.text.includes('未成年人'))).toBe(true);
  });

  it('answers English questions from Chinese policies', async () => {
    const hits = await assistant.search('giantkone', 'Will my data be transferred abroad?', 3);
    expect(hits.some((h) => /境外|跨境/.test(h.text))).toBe(true);
  });

  it("searches only the asking tenant's policies", async () => {
    const hits = await assistant.search('changlian', '乾程集团如何收集我的信息', 5);
    expect(hits.every((h) => h.policyId.startsWith('changlian-'))).toBe(true);
  });

  it('prefers the version in the question’s language for a bilingual tenant', async () => {
    const en = await assistant.search('smarthw', 'How do you protect my personal information?', 1);
    const zh = await assistant.search('smarthw', '你们如何保护我的个人信息', 1);
    expect(en[0]!.policyId).toBe('smarthw-privacy-en');
    expect(zh[0]!.policyId).toBe('smarthw-privacy-zh');
  });

  it('is a langchain BaseRetriever returning Documents with clause metadata', async () => {
    const index = assistant.index.tenants.get('giantkone')!;
    const retriever = new HybridRetriever({ index, lexicon: assistant.lexicon, embedder: assistant.index.embedder, k: 2 });
    expect(retriever).toBeInstanceOf(BaseRetriever);
    const docs = await retriever.invoke('儿童个人信息');
    expect(docs).toHaveLength(2);
    expect(docs[0]!.metadata).toMatchObject({ policyId: expect.any(String), clauseId: expect.any(String) });
    expect(docs[0]!.pageContent).toContain('儿童');
  });

  it('rejects an unknown tenant with a clear error', async () => {
    await expect(assistant.search('nobody', '你好')).rejects.toMatchObject({ code: 'unknown_tenant', message: expect.stringContaining('giantkone') });
  });
});

describe('corpus embeddings', () => {
  it('places clauses about the same topic close together without any download', () => {
    const texts = assistant.kb.clauses.map((c) => `${c.title}\n${c.text}`);
    const model = CorpusEmbeddings.fit(texts, { dimensions: 32 });
    const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
    const q = model.embedText('儿童 监护人 同意');
    const near = model.embedText('我们将不满14周岁的任何人均视为儿童，需要父母或监护人同意');
    const far = model.embedText('我们会在用户的计算机上存储名为Cookie的小数据文件');
    expect(cos(q, near)).toBeGreaterThan(cos(q, far));
    expect(model.dimensions).toBe(32);
  });
});

describe('persisted index', () => {
  it('is stored under the data directory and rebuilt when the knowledge changes', async () => {
    const dataDir = tempDir();
    const knowledgeDir = copyKnowledge();
    const config = loadConfig({ DATA_DIR: dataDir, KNOWLEDGE_DIR: knowledgeDir });
    const first = await PolicyAssistant.open(config);
    expect(readdirSync(join(dataDir, 'index'))).toEqual([first.index.hash]);
    const reopened = await PolicyAssistant.open(config);
    expect(reopened.index.hash).toBe(first.index.hash);

    appendFileSync(join(knowledgeDir, 'policies/004_d65c2099f9cad1b9.txt'), '\n10. 无人机\n我们不会使用无人机航拍采集您的个人信息。\n');
    const changed = await PolicyAssistant.open(config);
    expect(changed.index.hash).not.toBe(first.index.hash);
    expect(readdirSync(join(dataDir, 'index'))).toEqual([changed.index.hash]);
    const hits = await changed.search('qiancheng', '无人机航拍', 1);
    expect(hits[0]!.text).toContain('无人机');
  });
});
