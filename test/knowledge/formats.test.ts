import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import { describe, expect, it } from 'vitest';
import { convertBuffer, extractPolicyText, formatOf } from '../../src/knowledge/formats.ts';
import { DEFAULT_KNOWLEDGE_DIR } from '../../src/knowledge/knowledge-base.ts';
import { parsePolicy } from '../../src/knowledge/parser.ts';
import { tempDir } from '../helpers/assistant.ts';

const TEXT_FILE = join(DEFAULT_KNOWLEDGE_DIR, 'policies/004_d65c2099f9cad1b9.txt');
const HTML_FIXTURE = resolve(import.meta.dirname, '../fixtures/policies/qiancheng-privacy.html');
const text = readFileSync(TEXT_FILE, 'utf8');

/** The clause outline: numbers and titles, in order. */
function outline(source: string): string[] {
  return parsePolicy(source, { policyId: 'qiancheng-privacy' })
    .filter((c) => c.kind !== 'preamble')
    .map((c) => `${c.number}|${c.title}`);
}

/** The bundled policy as a Word document: numbered chapters as headings, the rest as paragraphs. */
async function policyDocx(): Promise<Buffer> {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const children = lines.map((line) =>
    /^\d+\.\s/.test(line)
      ? new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun(line)] })
      : /^\d+\.\d+/.test(line)
        ? new Paragraph({ heading: HeadingLevel.HEADING_3, children: [new TextRun({ text: line, bold: true })] })
        : new Paragraph({ alignment: AlignmentType.JUSTIFIED, children: [new TextRun(line)] }),
  );
  return Packer.toBuffer(new Document({ creator: 'privacy-bot tests', sections: [{ children }] }));
}

describe('policy formats', () => {
  const expected = outline(text);

  it('the text version has a real outline to compare against', () => {
    expect(expected.length).toBeGreaterThan(50);
    expect(expected).toContain('3.1|共享');
  });

  it('a saved web page (scripts, styles, navigation, header and footer) parses to the same outline as the text', async () => {
    const { format, text: converted } = await extractPolicyText(HTML_FIXTURE);
    expect(format).toBe('html');
    expect(outline(converted)).toEqual(expected);
    for (const chrome of ['dataLayer', '产品中心', '版权所有', '网站地图', 'analytics', 'JavaScript', 'font-family']) expect(converted).not.toContain(chrome);
  });

  it('a .docx made with the docx package parses to the same outline as the text', async () => {
    const dir = tempDir();
    const file = join(dir, 'qiancheng-privacy.docx');
    writeFileSync(file, await policyDocx());
    const { format, text: converted } = await extractPolicyText(file);
    expect(format).toBe('docx');
    expect(outline(converted)).toEqual(expected);
  });

  it('Markdown headings and paragraphs become lines the parser numbers', async () => {
    const md = '# 隐私政策\n\n## 1. 我们收集的信息\n\n我们收集您的**手机号码**。\n\n## 2. 联系我们\n\n邮箱：[privacy@example.com](mailto:privacy@example.com)\n';
    const converted = await convertBuffer('markdown', Buffer.from(md));
    expect(converted).toBe('隐私政策\n1. 我们收集的信息\n我们收集您的手机号码。\n2. 联系我们\n邮箱：privacy@example.com\n');
    expect(parsePolicy(converted, { policyId: 'p' }).filter((c) => c.number).map((c) => c.number)).toEqual(['1', '2']);
  });

  it('names the supported formats and refuses others', () => {
    expect(['a.txt', 'a.md', 'a.HTML', 'a.htm', 'a.docx', 'a.pdf'].map(formatOf)).toEqual(['text', 'markdown', 'html', 'html', 'docx', 'pdf']);
    expect(() => formatOf('a.doc')).toThrow(/unsupported policy format/);
  });
});

/** A one-page PDF with one text line per entry (Helvetica, so ASCII only), written by the book (PDF 1.4, section 7). */
function pdfOf(lines: string[]): Buffer {
  const escape = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  const stream = `BT /F1 11 Tf 14 TL 50 780 Td ${lines.map((l) => `(${escape(l)}) Tj T*`).join(' ')} ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(stream)} >>\nstream\n${stream}\nendstream`,
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body);
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('PDF', () => {
  it('extracts the text lines of a PDF, which the parser numbers', async () => {
    const lines = ['Example Privacy Policy', '1. Information we collect', 'We collect your email address.', '2. Contact us', 'Write to privacy@example.com.'];
    const text = await convertBuffer('pdf', pdfOf(lines));
    for (const line of lines) expect(text).toContain(line);
    expect(parsePolicy(text, { policyId: 'p' }).filter((c) => c.number).map((c) => `${c.number} ${c.title}`)).toEqual(['1 Information we collect', '2 Contact us']);
  });
});
