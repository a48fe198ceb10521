// Turns the file a company hands over into the plain text the parser reads: plain text as
// is, Markdown through marked, a saved web page through html-to-text (scripts, styles,
// navigation, headers and footers dropped), .docx through mammoth, PDF through unpdf.
// Each format goes through HTML where it can, so headings and list items become lines.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { convert } from 'html-to-text';
import mammoth from 'mammoth';
import { marked } from 'marked';
import { extractText, getDocumentProxy } from 'unpdf';
import { BotError } from '../errors.ts';

export const POLICY_FORMATS = ['text', 'markdown', 'html', 'docx', 'pdf'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];

const EXTENSIONS: Record<string, PolicyFormat> = {
  '.txt': 'text',
  '.text': 'text',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.html': 'html',
  '.htm': 'html',
  '.docx': 'docx',
  '.pdf': 'pdf',
};

export function formatOf(path: string): PolicyFormat {
  const format = EXTENSIONS[extname(path).toLowerCase()];
  if (!format) {
    throw new BotError('invalid_input', `${path}: unsupported policy format. Use one of ${Object.keys(EXTENSIONS).join(', ')}.`);
  }
  return format;
}

const SKIPPED = ['script', 'style', 'noscript', 'template', 'nav', 'header', 'footer', 'aside', 'form', 'button', 'iframe', 'svg', 'img'];

/** HTML to lines of text: one block a line, headings as written (not upper-cased), links without URLs. */
export function htmlToPolicyText(html: string): string {
  const text = convert(html, {
    wordwrap: false,
    selectors: [
      ...SKIPPED.map((selector) => ({ selector, format: 'skip' })),
      ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false, leadingLineBreaks: 1, trailingLineBreaks: 1 } })),
      { selector: 'p', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
      { selector: 'a', options: { ignoreHref: true } },
      { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
      { selector: 'ul', options: { itemPrefix: '• ' } },
    ],
  });
  return tidy(text);
}

function tidy(text: string): string {
  return `${text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

export async function extractPolicyText(path: string): Promise<{ format: PolicyFormat; text: string }> {
  const format = formatOf(path);
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (cause) {
    throw new BotError('invalid_input', `cannot read ${path}`, { cause });
  }
  try {
    return { format, text: await convertBuffer(format, data) };
  } catch (cause) {
    if (cause instanceof BotError) throw cause;
    throw new BotError('invalid_input', `${path} is not a readable ${format} file.`, { cause });
  }
}

export async function convertBuffer(format: PolicyFormat, data: Buffer): Promise<string> {
  switch (format) {
    case 'text':
      return tidy(data.toString('utf8').replace(/^\uFEFF/, ''));
    case 'markdown':
      return htmlToPolicyText(await marked.parse(data.toString('utf8'), { async: true, gfm: true }));
    case 'html':
      return htmlToPolicyText(data.toString('utf8'));
    case 'docx':
      return htmlToPolicyText((await mammoth.convertToHtml({ buffer: data })).value);
    case 'pdf': {
      const pdf = await getDocumentProxy(new Uint8Array(data));
      const { text } = await extractText(pdf, { mergePages: true });
      return tidy(text);
    }
  }
}
