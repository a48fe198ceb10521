// A verified model draft as an Answer: the same shape and layout as the offline answer
// (statements with [n] markers, then the numbered citations), so channels cannot tell them
// apart except by `model: 'sent'`.

import type { Clause } from '../knowledge/parser.ts';
import type { Language } from '../knowledge/text.ts';
import type { PolicyMeta } from '../knowledge/knowledge-base.ts';
import type { Draft } from '../llm/verify.ts';
import { formatCitation, toCitation, type Answer, type Citation, type Statement } from './answerer.ts';
import { reply } from './replies.ts';

export function renderDraft(
  draft: Draft,
  ctx: { language: Language; shown: Clause[]; policies: Map<string, PolicyMeta>; offline: Answer; tenantName: string },
): Answer {
  const byId = new Map(ctx.shown.map((c) => [c.clauseId, c]));
  const citations: Citation[] = [];
  const numberOf = new Map<string, number>();
  const cite = (id: string) => {
    let n = numberOf.get(id);
    if (n === undefined) {
      n = citations.push(toCitation(byId.get(id)!, ctx.policies));
      numberOf.set(id, n);
    }
    return n;
  };
  const statements: Statement[] = draft.statements.map((s) => {
    const [first, ...rest] = [...new Set(s.clauses)].map(cite);
    return rest.length > 0 ? { text: s.text, citation: first!, also: rest } : { text: s.text, citation: first! };
  });
  const lang = ctx.language;
  const lines: string[] = [];
  if (ctx.offline.otherCompany) lines.push(reply(lang, 'otherCompany', { tenant: ctx.tenantName, other: ctx.offline.otherCompany }));
  for (const st of statements) lines.push(`${st.text} ${[st.citation, ...(st.also ?? [])].map((n) => `[${n}]`).join('')}`);
  lines.push('', reply(lang, 'citationsHeader'));
  citations.forEach((c, i) => lines.push(`[${i + 1}] ${formatCitation(c, lang)}`));
  return {
    answerable: true,
    language: lang,
    answer: lines.join('\n'),
    statements,
    citations,
    ...(ctx.offline.otherCompany ? { otherCompany: ctx.offline.otherCompany } : {}),
    ...(ctx.offline.confidence ? { confidence: ctx.offline.confidence } : {}),
    model: 'sent',
  };
}
