// The conversation so far, for a page that was reloaded: GET /api/web/history returns the
// transcript of the page's conversation (contacts masked as stored) with the citations the bot
// gave, in the shape the page renders live replies in.

import type { TranscriptEntry } from '../../src/store/store.ts';
import { citationLabel, type WebCitation } from './render.ts';

export interface WebHistoryEntry {
  direction: 'in' | 'out';
  text: string;
  at: string;
  citations: WebCitation[];
}

export interface WebHistoryResponse {
  entries: WebHistoryEntry[];
}

/** How much of a long conversation a reloaded page shows. */
export const HISTORY_LIMIT = 200;

export function renderHistory(entries: readonly TranscriptEntry[]): WebHistoryResponse {
  return {
    entries: entries.slice(-HISTORY_LIMIT).map((e) => ({
      direction: e.direction,
      text: e.text,
      at: e.at.toISOString(),
      citations: (e.citations ?? []).map((c) => ({ policyTitle: c.policyTitle, number: c.number, title: c.title, text: c.text, label: citationLabel(c, e.text) })),
    })),
  };
}
