// Parsing what the WeChat message server POSTs: a flat <xml> document, string fields in CDATA.
// Formats: https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_standard_messages.html
// and https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Receiving_event_pushes.html
//
// The body comes from the internet (and, in plain mode, is only as authentic as the URL
// signature), so the parser refuses DTDs outright (entity-expansion and XXE attacks), never
// expands entities beyond XML's five predefined ones and numeric references, and caps size
// and depth.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { cutCodePoints } from '../../src/knowledge/text.ts';

export const MAX_XML_BYTES = 1024 * 1024;
const MAX_DEPTH = 8;

export type WechatXmlErrorCode =
  | 'too_large' // over MAX_XML_BYTES
  | 'forbidden_dtd' // <!DOCTYPE or <!ENTITY anywhere in the body
  | 'malformed_xml' // not well-formed XML
  | 'not_xml_root' // well-formed, but not a single <xml> root element
  | 'invalid_message' // an <xml> document that is not a valid message of its MsgType
  | 'unsupported_message'; // a MsgType this adapter does not know

export interface WechatXmlError {
  code: WechatXmlErrorCode;
  /** Says what is wrong, never quotes the body (it may hold a user's message). */
  message: string;
}

export type XmlValue = string | XmlFields | XmlValue[];
export interface XmlFields {
  [name: string]: XmlValue;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: WechatXmlError };

const fail = (code: WechatXmlErrorCode, message: string): { ok: false; error: WechatXmlError } => ({ ok: false, error: { code, message } });

const parser = new XMLParser({
  ignoreAttributes: true,
  processEntities: false, // decoded below, predefined entities only
  htmlEntities: false,
  parseTagValue: false, // MsgId exceeds 2^53 and Content "007" is text: keep every value a string
  parseAttributeValue: false,
  trimValues: false, // a user's leading and trailing spaces are part of the message
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata', // CDATA is taken literally, text nodes get entity-decoded
  preserveOrder: true, // keeps text and CDATA pieces in document order
  maxNestedTags: MAX_DEPTH + 1,
});

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

class MalformedXml extends Error {}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** One pass, so "&amp;lt;" becomes "&lt;", never "<". Without a DTD no other entity can exist. */
function decodeEntities(text: string): string {
  return text.replace(/&([^&;]*);/g, (_, ref: string) => {
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (numeric) {
      const cp = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
      if (!isXmlChar(cp)) throw new MalformedXml(`character reference &${ref}; is not an XML character`);
      return String.fromCodePoint(cp);
    }
    const named = PREDEFINED[ref];
    if (named === undefined) throw new MalformedXml(`undeclared entity &${ref};`);
    return named;
  });
}

type OrderedNode = Record<string, unknown>;

function isWhitespace(text: string): boolean {
  return /^[ \t\r\n]*$/.test(text);
}

function textOf(node: OrderedNode): string | null {
  const text = node['#text'];
  return typeof text === 'string' || typeof text === 'number' ? String(text) : null;
}

/** An element's content: a string when it holds only text/CDATA, its child fields otherwise. */
function elementValue(children: unknown, depth: number): XmlValue {
  if (depth > MAX_DEPTH) throw new MalformedXml('nested too deeply');
  if (!Array.isArray(children)) throw new MalformedXml('unexpected parser output');
  let text = '';
  let hasElements = false;
  const fields: XmlFields = {};
  for (const child of children as OrderedNode[]) {
    const plain = textOf(child);
    if (plain !== null) {
      text += decodeEntities(plain);
      continue;
    }
    const [name, ...extra] = Object.keys(child).filter((k) => k !== ':@');
    if (name === undefined || extra.length > 0) throw new MalformedXml('unexpected parser output');
    if (name === '#cdata') {
      for (const piece of child[name] as OrderedNode[]) text += textOf(piece) ?? '';
      continue;
    }
    hasElements = true;
    const value = elementValue(child[name], depth + 1);
    const previous = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (previous === undefined) fields[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else fields[name] = [previous, value];
  }
  if (!hasElements) return text;
  if (!isWhitespace(text)) throw new MalformedXml('text mixed with elements');
  return fields;
}

/**
 * Parses a WeChat XML body into the fields of its <xml> root, refusing anything that is not
 * a small, DTD-free, well-formed document with exactly that root.
 */
export function parseWechatXml(body: string): Result<XmlFields> {
  if (typeof body !== 'string') return fail('malformed_xml', 'The body is not text.');
  // UTF-8 never takes fewer bytes than UTF-16 code units, so the cheap test goes first.
  if (body.length > MAX_XML_BYTES || Buffer.byteLength(body, 'utf8') > MAX_XML_BYTES) {
    return fail('too_large', `The body is larger than ${MAX_XML_BYTES} bytes.`);
  }
  // WeChat never sends a DTD; refusing one before parsing rules out entity expansion
  // ("billion laughs") and external entities whatever the parser's settings.
  if (/<!(?:DOCTYPE|ENTITY)/i.test(body)) return fail('forbidden_dtd', 'The body contains a DTD (<!DOCTYPE or <!ENTITY); WeChat never sends one.');

  let validation: ReturnType<typeof XMLValidator.validate>;
  let nodes: unknown;
  try {
    validation = XMLValidator.validate(body);
    if (validation !== true) {
      return fail('malformed_xml', `The body is not well-formed XML: ${validation.err.msg} (line ${validation.err.line}).`);
    }
    nodes = parser.parse(body);
  } catch (error) {
    // fast-xml-parser throws on nesting limits and on names such as __proto__ or constructor.
    return fail('malformed_xml', `The body cannot be parsed: ${error instanceof Error ? error.message : 'unknown error'}.`);
  }
  if (!Array.isArray(nodes)) return fail('malformed_xml', 'The body cannot be parsed.');

  const roots: OrderedNode[] = [];
  for (const node of nodes as OrderedNode[]) {
    const text = textOf(node);
    if (text !== null && isWhitespace(text)) continue;
    if (text !== null) return fail('malformed_xml', 'The body has text outside its root element.');
    roots.push(node);
  }
  const root = roots[0];
  const rootName = root ? Object.keys(root).find((k) => k !== ':@') : undefined;
  if (roots.length !== 1 || root === undefined || rootName !== 'xml') {
    return fail('not_xml_root', 'The body must have exactly one root element, <xml>.');
  }
  try {
    const value = elementValue(root[rootName], 1);
    if (typeof value === 'string') {
      return isWhitespace(value) ? { ok: true, value: {} } : fail('invalid_message', 'The <xml> root holds text instead of fields.');
    }
    if (Array.isArray(value)) return fail('malformed_xml', 'The body cannot be parsed.');
    return { ok: true, value };
  } catch (error) {
    if (error instanceof MalformedXml) return fail('malformed_xml', `The body is not valid XML: ${error.message}.`);
    throw error;
  }
}

// ---- Inbound messages -------------------------------------------------------------------

const DecimalString = z.string().regex(/^\d{1,20}$/, 'expected a decimal integer');

const Common = {
  /** The account's original id (gh_...). */
  ToUserName: z.string().min(1).max(128),
  /** The user's OpenID. */
  FromUserName: z.string().min(1).max(128),
  /** Unix seconds. */
  CreateTime: z.string().regex(/^\d{1,12}$/, 'expected Unix seconds').transform(Number),
};
/** 64-bit and above 2^53: kept as a string so it survives as a dedupe key. */
const MsgId = DecimalString;
const Optional = z.string().optional();

// Identity fields are required; the descriptive fields of media messages are optional because
// the bot only acknowledges them, and one missing field should not lose the message.
export const TextMessageSchema = z.object({ ...Common, MsgType: z.literal('text'), Content: z.string(), MsgId });
export const ImageMessageSchema = z.object({ ...Common, MsgType: z.literal('image'), PicUrl: Optional, MediaId: Optional, MsgId });
export const VoiceMessageSchema = z.object({
  ...Common,
  MsgType: z.literal('voice'),
  MediaId: Optional,
  Format: Optional,
  /** Speech recognition result, when the account has it switched on. */
  Recognition: Optional,
  MsgId,
});
export const VideoMessageSchema = z.object({ ...Common, MsgType: z.literal('video'), MediaId: Optional, ThumbMediaId: Optional, MsgId });
export const ShortVideoMessageSchema = z.object({ ...Common, MsgType: z.literal('shortvideo'), MediaId: Optional, ThumbMediaId: Optional, MsgId });
export const LocationMessageSchema = z.object({
  ...Common,
  MsgType: z.literal('location'),
  Location_X: Optional,
  Location_Y: Optional,
  Scale: Optional,
  Label: Optional,
  MsgId,
});
export const LinkMessageSchema = z.object({ ...Common, MsgType: z.literal('link'), Title: Optional, Description: Optional, Url: Optional, MsgId });
/** Events carry no MsgId; see dedupeKey() in message-id.ts. */
export const EventMessageSchema = z.object({
  ...Common,
  MsgType: z.literal('event'),
  /** subscribe, unsubscribe, SCAN, LOCATION, CLICK, VIEW, ... (case as WeChat sends it). */
  Event: z.string().min(1).max(64),
  EventKey: Optional,
  Ticket: Optional,
  Latitude: Optional,
  Longitude: Optional,
  Precision: Optional,
});

export const WechatInboundSchema = z.discriminatedUnion('MsgType', [
  TextMessageSchema,
  ImageMessageSchema,
  VoiceMessageSchema,
  VideoMessageSchema,
  ShortVideoMessageSchema,
  LocationMessageSchema,
  LinkMessageSchema,
  EventMessageSchema,
]);
export type WechatInbound = z.infer<typeof WechatInboundSchema>;
export type WechatTextMessage = z.infer<typeof TextMessageSchema>;
export type WechatEventMessage = z.infer<typeof EventMessageSchema>;

/** The safe-mode body. In "compatible" mode plaintext fields come along; they are not covered by msg_signature, so ignore them. */
export const EncryptedEnvelopeSchema = z.object({
  ToUserName: z.string().max(128).optional(),
  Encrypt: z.string().min(1),
});
export type EncryptedEnvelope = z.infer<typeof EncryptedEnvelopeSchema>;

const KNOWN_TYPES = new Set(['text', 'image', 'voice', 'video', 'shortvideo', 'location', 'link', 'event']);

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export type InboundResult = { ok: true; message: WechatInbound } | { ok: false; error: WechatXmlError };

/**
 * A plaintext message (plain mode, or the decrypted XML of safe mode) as a typed message.
 * In safe mode pass the decrypted XML, never the envelope's plaintext copy.
 */
export function parseInbound(xml: string): InboundResult {
  const parsed = parseWechatXml(xml);
  if (!parsed.ok) return parsed;
  const type = parsed.value['MsgType'];
  if (typeof type === 'string' && !KNOWN_TYPES.has(type)) {
    return fail('unsupported_message', `MsgType "${cutCodePoints(type, 32)}" is not supported.`);
  }
  const result = WechatInboundSchema.safeParse(parsed.value);
  if (!result.success) return fail('invalid_message', `The message is invalid: ${describeIssues(result.error)}.`);
  return { ok: true, message: result.data };
}

export type EnvelopeResult = { ok: true; envelope: EncryptedEnvelope } | { ok: false; error: WechatXmlError };

/** The `<Encrypt>` of a safe-mode body; verify msg_signature over it, then decrypt. */
export function parseEncryptedEnvelope(body: string): EnvelopeResult {
  const parsed = parseWechatXml(body);
  if (!parsed.ok) return parsed;
  const result = EncryptedEnvelopeSchema.safeParse(parsed.value);
  if (!result.success) return fail('invalid_message', `The encrypted body is invalid: ${describeIssues(result.error)}.`);
  return { ok: true, envelope: result.data };
}

const ENCRYPT_OPEN = '<Encrypt>';
/** <Encrypt> holding base64, bare or in CDATA, as WeChat writes it. Linear: one character class, then literals. */
const ENCRYPT_ELEMENT = /<Encrypt>(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))<\/Encrypt>/;

/**
 * The <Encrypt> of a safe- or compatible-mode body, found without parsing XML: msg_signature
 * covers exactly this value, so it is checked before anything else reads the body, and a
 * forged request costs one scan of a few kilobytes. A body with no such element, or with the
 * tag twice (one hidden in a comment or a CDATA field), has none; the decrypted message is
 * parsed properly once the signature holds. https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Message_encryption_and_decryption_instructions.html
 */
export function extractEncrypt(body: string): string | null {
  const first = body.indexOf(ENCRYPT_OPEN);
  if (first === -1 || body.indexOf(ENCRYPT_OPEN, first + 1) !== -1) return null;
  const match = ENCRYPT_ELEMENT.exec(body.slice(first));
  if (!match || match.index !== 0) return null;
  return match[1] ?? match[2] ?? null;
}
