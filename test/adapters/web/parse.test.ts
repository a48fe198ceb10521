import { describe, expect, it } from 'vitest';
import { parseMessageRequest, toInboundMessage } from '../../../adapters/web/parse.ts';
import { fixture } from './fixtures.ts';

const JSON_TYPE = 'application/json';
const valid = { tenant: 'giantkone', text: '你们收集哪些个人信息？', messageId: 'mhz1k2-AbCdEfGhIjKlMnOp' };
const body = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseMessageRequest', () => {
  it('accepts what the page sends (recorded from the browser)', () => {
    const recorded = fixture('message-request.json');
    const parsed = parseMessageRequest(Buffer.from(recorded), JSON_TYPE);
    expect(parsed).toEqual({ ok: true, value: JSON.parse(recorded) });
  });

  it.each([
    ['application/json', true],
    ['application/json; charset=utf-8', true],
    ['Application/JSON;charset=UTF-8', true],
    ['text/plain', false],
    ['application/x-www-form-urlencoded', false],
    ['application/jsonp', false],
    [undefined, false],
  ])('content-type %s accepted: %s', (contentType, accepted) => {
    const parsed = parseMessageRequest(body(valid), contentType);
    expect(parsed.ok).toBe(accepted);
    if (!parsed.ok) expect(parsed.error.code).toBe('unsupported_media_type');
  });

  it.each([
    ['empty body', ''],
    ['truncated object', '{"tenant": "giantkone", '],
    ['single quotes', "{'tenant': 'giantkone'}"],
    ['trailing comma', '{"tenant": "giantkone",}'],
    ['bare word', 'hello'],
  ])('refuses malformed JSON: %s', (_name, raw) => {
    const parsed = parseMessageRequest(body(raw), JSON_TYPE);
    expect(parsed).toEqual({ ok: false, error: { code: 'malformed_json', message: 'The request body is not valid JSON.' } });
  });

  it.each([
    ['an array', [], /JSON object with tenant, text and messageId/],
    ['a string', '"hi"', /JSON object/],
    ['null', null, /JSON object/],
    ['missing fields', {}, /tenant: .*text: .*messageId: /],
    ['an empty tenant', { ...valid, tenant: '' }, /tenant: required/],
    ['a text that is not a string', { ...valid, text: ['a'] }, /text: /],
    ['an overlong text', { ...valid, text: 'x'.repeat(10_001) }, /text: at most 10000 characters/],
    ['an empty message id', { ...valid, messageId: '' }, /messageId: must be 8–128 characters/],
    ['a message id with a colon', { ...valid, messageId: 'abc:defgh' }, /messageId: must be 8–128 characters/],
  ])('refuses %s with a message naming the field', (_name, value, message) => {
    const parsed = parseMessageRequest(body(value), JSON_TYPE);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('invalid_request');
    expect(parsed.error.message).toMatch(message);
  });

  it('never quotes the text in an error', () => {
    const parsed = parseMessageRequest(body({ ...valid, messageId: 'bad', text: '我的手机号是13812345678' }), JSON_TYPE);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).not.toContain('13812345678');
  });

  it('ignores fields it does not know, a client-chosen session among them', () => {
    const parsed = parseMessageRequest(body({ ...valid, channel: 'slack', userRef: 'someone-else', session: 'aaaaaaaaaaaaaaaa' }), JSON_TYPE);
    expect(parsed).toEqual({ ok: true, value: valid });
  });

  it('keeps empty and long texts for the core to answer in words', () => {
    expect(parseMessageRequest(body({ ...valid, text: '' }), JSON_TYPE).ok).toBe(true);
    expect(parseMessageRequest(body({ ...valid, text: '长'.repeat(3000) }), JSON_TYPE).ok).toBe(true);
  });
});

describe('toInboundMessage', () => {
  it('names the person by the server-issued session and the conversation by tenant and session', () => {
    const time = new Date('2026-01-02T03:04:05Z');
    expect(toInboundMessage(valid, 'Q1w2E3r4T5y6U7i8O9p0_-aZ', time)).toEqual({
      channel: 'web',
      tenant: 'giantkone',
      userRef: 'web:Q1w2E3r4T5y6U7i8O9p0_-aZ',
      conversationRef: 'web:giantkone:Q1w2E3r4T5y6U7i8O9p0_-aZ',
      messageId: 'mhz1k2-AbCdEfGhIjKlMnOp',
      text: '你们收集哪些个人信息？',
      time,
    });
  });
});
