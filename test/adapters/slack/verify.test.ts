import { describe, expect, it } from 'vitest';
import { verifySlackSignature } from '../../../adapters/slack/verify.ts';
import { slackSignature } from './fake-slack.ts';

// Slack's documented example (../shared/PROTOCOLS.md; docs.slack.dev "Verifying requests from Slack").
const DOC = {
  secret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body:
    'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const AT_DOC_TIME = Number(DOC.timestamp) * 1000 + 30_000;

const check = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: DOC.secret, rawBody: DOC.body, signature: DOC.signature, timestamp: DOC.timestamp, nowMs: AT_DOC_TIME, ...overrides });

describe('verifySlackSignature', () => {
  it("accepts Slack's documented example", () => {
    expect(check()).toEqual({ ok: true });
  });

  it('agrees with the test signer on the documented example', () => {
    expect(slackSignature(DOC.secret, DOC.timestamp, DOC.body)).toBe(DOC.signature);
  });

  it.each([
    ['a changed body', { rawBody: DOC.body.replace('roadrunner', 'coyote') }, 'bad_signature'],
    ['another secret', { signingSecret: '8f742231b10e8888abcd99yyyzzz85a6' }, 'bad_signature'],
    ['a changed timestamp', { timestamp: '1531420619' }, 'bad_signature'],
    ['a signature in upper case', { signature: DOC.signature.toUpperCase() }, 'bad_signature'],
    ['an unknown version', { signature: DOC.signature.replace('v0=', 'v1=') }, 'bad_signature'],
    ['a bare hash', { signature: DOC.signature.slice(3) }, 'bad_signature'],
    ['no signature', { signature: undefined }, 'missing_signature'],
    ['no timestamp', { timestamp: undefined }, 'missing_signature'],
    ['an empty signature', { signature: '' }, 'missing_signature'],
    ['a timestamp that is not a number', { timestamp: '1531420618abc' }, 'bad_timestamp'],
    ['a timestamp in milliseconds (too many digits)', { timestamp: '1531420618000000' }, 'bad_timestamp'],
    ['a request 5 minutes and 1 second old', { nowMs: (Number(DOC.timestamp) + 301) * 1000 }, 'stale'],
    ['a request from more than 5 minutes in the future', { nowMs: (Number(DOC.timestamp) - 301) * 1000 }, 'stale'],
  ] as const)('refuses %s', (_name, overrides, reason) => {
    expect(check(overrides)).toEqual({ ok: false, reason });
  });

  it('accepts a request exactly 5 minutes old, and one a little early', () => {
    expect(check({ nowMs: (Number(DOC.timestamp) + 300) * 1000 })).toEqual({ ok: true });
    expect(check({ nowMs: (Number(DOC.timestamp) - 60) * 1000 })).toEqual({ ok: true });
  });

  it('takes the first value of a repeated header', () => {
    expect(check({ signature: [DOC.signature, 'v0=00'], timestamp: [DOC.timestamp] })).toEqual({ ok: true });
  });

  it('checks a JSON event body with a fresh timestamp', () => {
    const body = JSON.stringify({ type: 'event_callback', event: { type: 'message', text: '你好' } });
    const now = Date.now();
    const ts = String(Math.floor(now / 1000));
    expect(verifySlackSignature({ signingSecret: 's3cr3t', rawBody: body, signature: slackSignature('s3cr3t', ts, body), timestamp: ts, nowMs: now })).toEqual({ ok: true });
  });
});
