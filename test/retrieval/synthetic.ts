// A small synthetic tenant for pinning retrieval behaviour without the bundled policies.

import type { Clause } from '../../src/knowledge/parser.ts';
import { Bm25Index } from '../../src/retrieval/bm25.ts';
import type { TenantIndex } from '../../src/retrieval/hybrid-retriever.ts';
import { indexedText, isRetrievable } from '../../src/retrieval/index-store.ts';
import { Lexicon } from '../../src/retrieval/lexicon.ts';
import { tokens } from '../../src/retrieval/tokenizer.ts';

/** Clauses as [id, parentId, title, text]; the heading path follows the parents' titles. */
export function syntheticIndex(
  rows: [string, string | null, string, string][],
  policyId = 'demo-zh',
  options: { retrievableOnly?: boolean } = {},
): TenantIndex {
  const byId = new Map<string, Clause>();
  const clauses: Clause[] = rows.map(([id, parentId, title, text], i) => {
    const parent = parentId ? byId.get(parentId) : undefined;
    const clause: Clause = {
      policyId,
      clauseId: `${policyId}#${id}`,
      number: id,
      label: '',
      title,
      headingPath: [...(parent?.headingPath ?? []), ...(title ? [`${id} ${title}`] : [])],
      text: title && !text.startsWith(title) ? `${title} ${text}` : text,
      lineStart: i + 1,
      lineEnd: i + 1,
      parentId: parent?.clauseId ?? null,
      depth: parent ? parent.depth + 1 : 0,
      kind: title ? 'heading' : 'numbered',
    };
    byId.set(id, clause);
    return clause;
  });
  // Like the real index, optionally without bare section headings (their children carry them).
  const kept = options.retrievableOnly ? clauses.filter(isRetrievable) : clauses;
  const bm25 = Bm25Index.build(kept.map((c) => tokens(indexedText(c))));
  return { tenant: 'demo', clauses: kept, bm25, vectors: null, languages: new Map([[policyId, 'zh']]) };
}

export function lexicon(entries: { terms: string[]; expand: string[] }[]): Lexicon {
  return new Lexicon(JSON.stringify({ version: 1, entries }));
}
