// Request signatures of Slack's Events API and interactivity, checked by Bolt's own function
// so we agree with Slack's SDK rather than with a copy of it.
// https://docs.slack.dev/authentication/verifying-requests-from-slack
// `v0=` + hex HMAC-SHA256(signing secret, `v0:{X-Slack-Request-Timestamp}:{raw body}`).

import { verifySlackRequest } from '@slack/bolt';

/** Slack's replay window: a request signed more than five minutes from now is refused. */
export const MAX_CLOCK_SKEW_S = 5 * 60;

export type SignatureFailure = 'missing_signature' | 'bad_timestamp' | 'stale' | 'bad_signature';
export type SignatureCheck = { ok: true } | { ok: false; reason: SignatureFailure };

/** The first value of a header Node may have given as a list. */
function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks `X-Slack-Signature` over the raw body (before any parsing: a re-serialised body would
 * not match). Bolt's check refuses only timestamps in the past; one more than five minutes in
 * the future is refused here too, since the signature covers it and it would otherwise stay
 * replayable for as long as the clock lags.
 */
export function verifySlackSignature(params: {
  signingSecret: string;
  rawBody: string;
  signature: string | string[] | undefined;
  timestamp: string | string[] | undefined;
  nowMs: number;
}): SignatureCheck {
  const signature = single(params.signature);
  const timestamp = single(params.timestamp);
  if (!signature || !timestamp) return { ok: false, reason: 'missing_signature' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  const seconds = Number(timestamp);
  try {
    verifySlackRequest({
      signingSecret: params.signingSecret,
      body: params.rawBody,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': seconds },
      nowMilliseconds: params.nowMs,
    });
  } catch (error) {
    // Bolt says why only in the message ("... or request is stale", "... signature mismatch").
    const message = error instanceof Error ? error.message : '';
    return { ok: false, reason: /stale/i.test(message) ? 'stale' : 'bad_signature' };
  }
  if (seconds - Math.floor(params.nowMs / 1000) > MAX_CLOCK_SKEW_S) return { ok: false, reason: 'stale' };
  return { ok: true };
}
