// The language to reply in: Chinese text is Chinese, English words are English, and input
// with neither (a phone number, an email, "ok") keeps the conversation's language.

import { detectLanguage, type Language } from '../../knowledge/text.ts';

export function replyLanguage(text: string, context: { inForm?: boolean; language?: Language }): Language {
  if (/[\u3400-\u9fff]/.test(text)) return 'zh';
  const words = text.replace(/\S+@\S+/g, ' ').match(/[A-Za-z]{2,}/g) ?? [];
  if (words.length === 0) return context.language ?? 'zh';
  // Inside a form a lone word ("ok", "abc@") is an answer, not a change of language.
  if (context.inForm && words.length < 2) return context.language ?? 'zh';
  return detectLanguage(text);
}
