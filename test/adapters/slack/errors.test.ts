import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { describeSlackError, SlackDeliveryError } from '../../../adapters/slack/errors.ts';
import { boltLogger } from '../../../adapters/slack/logger.ts';

// The shapes @slack/web-api throws (src/errors.ts there): code + data / statusCode / original.
const platformError = Object.assign(new Error('An API error occurred: channel_not_found'), {
  code: 'slack_webapi_platform_error',
  data: { ok: false, error: 'channel_not_found', response_metadata: {} },
});
const requestError = Object.assign(new Error('A request error occurred: fetch failed'), {
  code: 'slack_webapi_request_error',
  original: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) }),
});
const httpError = Object.assign(new Error('An HTTP protocol error occurred: statusCode = 503'), {
  code: 'slack_webapi_http_error',
  statusCode: 503,
  headers: { 'x-slack-req-id': 'abc' },
  body: '{"text":"你们收集哪些个人信息？"}',
});

describe('describeSlackError', () => {
  it.each([
    ['a platform error', platformError, 'channel_not_found'],
    ['a network error', requestError, 'ECONNREFUSED'],
    ['a timeout', Object.assign(new Error('x'), { code: 'slack_webapi_request_error', original: Object.assign(new Error('t'), { name: 'TimeoutError' }) }), 'timeout'],
    ['an HTTP error', httpError, 'http_503'],
    ['a rate limit', Object.assign(new Error('x'), { code: 'slack_webapi_rate_limited_error', retryAfter: 30 }), 'ratelimited'],
    ['a Bolt error', Object.assign(new Error('x'), { code: 'slack_bolt_authorization_error' }), 'slack_bolt_authorization_error'],
    ['a plain error', new Error('message with 你好'), 'unknown_error'],
    ['not an error', 'boom', 'unknown_error'],
  ])('%s', (_name, error, expected) => {
    expect(describeSlackError(error)).toBe(expected);
  });

  it('wraps a failed delivery without the SDK error', () => {
    const error = new SlackDeliveryError('chat.postMessage', describeSlackError(httpError));
    expect(error).toMatchObject({ code: 'delivery_failed', method: 'chat.postMessage', slackError: 'http_503' });
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('你们');
  });
});

describe('boltLogger', () => {
  function capture() {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    return { logger: pino({ level: 'trace' }, stream), lines };
  }

  it('drops Bolt and WebClient debug lines, which print request bodies', () => {
    const { logger, lines } = capture();
    const log = boltLogger(logger);
    log.debug(`http request body: {"token":"[[REDACTED]]","text":"我的手机号是13800138000"}`);
    log.debug('ack() call begins (body: {"event":{"text":"你好"}})');
    expect(lines).toEqual([]);
  });

  it('reduces errors to their code, so no text or token gets through', () => {
    const { logger, lines } = capture();
    const log = boltLogger(logger);
    log.error(httpError);
    log.warn('http request failed', 'connect ECONNREFUSED');
    log.error({ token: 'xoxb-secret', text: '你好' });
    const all = lines.join('\n');
    expect(all).toContain('http_503');
    expect(all).toContain('ECONNREFUSED');
    expect(all).not.toContain('你');
    expect(all).not.toContain('xoxb-secret');
  });
});

describe('SlackDeliveryError for the outbox', () => {
  it.each([
    ['channel_not_found', 'recipient_unreachable'],
    ['is_archived', 'recipient_unreachable'],
    ['ratelimited', 'delivery_failed'],
    ['http_503', 'delivery_failed'],
    ['ECONNREFUSED', 'delivery_failed'],
  ])('classifies %s as %s (permanent or worth retrying)', (slackError, code) => {
    expect(new SlackDeliveryError('chat.postMessage', slackError).code).toBe(code);
  });
});
