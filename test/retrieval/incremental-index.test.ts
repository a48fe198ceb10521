// Editing one tenant's policy re-indexes that tenant only, and a server opening on changed
// knowledge serves the previous index until the new one is built, then the reload finds it.

import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadKnowledgeBase } from '../../src/knowledge/knowledge-base.ts';
import { embeddingChoice, PolicyAssistant } from '../../src/policy-assistant.ts';
import { buildIndex } from '../../src/retrieval/index-store.ts';
import { Lexicon } from '../../src/retrieval/lexicon.ts';
import { copyKnowledge, tempDir } from '../helpers/assistant.ts';

const NEW_CLAUSE = '\n\n99. 鸵鸟条款\n我们承诺永远不会把您的个人信息用于训练鸵鸟赛跑预测模型。\n';

describe('per-tenant index rebuild', () => {
  it('re-indexes only the tenant whose policy changed; the others keep their files and results', async () => {
    const knowledgeDir = copyKnowledge();
    const config = loadConfig({ DATA_DIR: tempDir(), KNOWLEDGE_DIR: knowledgeDir });
    const first = await PolicyAssistant.open(config);
    const before = await first.search('giantkone', '删除个人信息', 5);

    appendFileSync(join(knowledgeDir, 'policies/003_3a06f27cab6bc51d.txt'), NEW_CLAUSE);
    const kb = loadKnowledgeBase(knowledgeDir);
    const built = await buildIndex(kb, Lexicon.load(knowledgeDir), config.dataDir, embeddingChoice(config));
    expect(built.rebuiltTenants).toEqual(['changlian']);

    const second = await PolicyAssistant.open(config);
    expect(second.index.hash).toBe(built.hash);
    expect(await second.search('giantkone', '删除个人信息', 5)).toEqual(before);
    const hits = await second.search('changlian', '鸵鸟赛跑预测模型', 3);
    expect(hits[0]?.text).toContain('鸵鸟赛跑');

    // --force refits everything.
    const full = await buildIndex(kb, Lexicon.load(knowledgeDir), tempDir(), embeddingChoice(config), undefined, { full: true });
    expect(full.rebuiltTenants.sort()).toEqual(kb.tenants.map((t) => t.id).sort());
  });

  it('serves the previous index while the new one is built, then the reload finds it', async () => {
    const knowledgeDir = copyKnowledge();
    const config = loadConfig({ DATA_DIR: tempDir(), KNOWLEDGE_DIR: knowledgeDir });
    await PolicyAssistant.open(config);
    appendFileSync(join(knowledgeDir, 'policies/003_3a06f27cab6bc51d.txt'), NEW_CLAUSE);

    const serving = await PolicyAssistant.openServing(config);
    expect(serving.stale).toBe(true);
    const old = await serving.search('changlian', '鸵鸟赛跑预测模型', 3);
    expect(old.some((h) => h.text.includes('鸵鸟'))).toBe(false);
    expect((await serving.search('giantkone', '删除个人信息', 3)).length).toBe(3);

    // What the server's child process (`privacy-bot ingest`) does, here in-process; then the
    // server reloads (Bot.reload) and finds the new index built.
    await PolicyAssistant.open(config);
    const reloaded = await PolicyAssistant.openServing(config);
    expect(reloaded.stale).toBe(false);
    expect((await reloaded.search('changlian', '鸵鸟赛跑预测模型', 3))[0]?.text).toContain('鸵鸟赛跑');
  });

  it('opens normally when the index is current', async () => {
    const config = loadConfig({ DATA_DIR: tempDir() });
    await PolicyAssistant.open(config);
    expect((await PolicyAssistant.openServing(config)).stale).toBe(false);
  });
});
