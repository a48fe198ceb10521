// Slack SDK errors stop here. What goes on (to the core, to the logs) is a short code such as
// `channel_not_found` or `ECONNREFUSED`: the SDK's error objects carry request bodies, response
// headers and bodies, which may hold message text.
// https://docs.slack.dev/tools/node-slack-sdk/web-api#handle-errors

import { BotError } from '../../src/errors.ts';

/**
 * Slack errors no retry can fix (the conversation is gone or closed to the bot): the outbox
 * gives up at once. https://docs.slack.dev/reference/methods/chat.postMessage#errors
 */
export const UNREACHABLE_SLACK_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'restricted_action',
]);

/**
 * A delivery to Slack that did not happen: a BotError 'recipient_unreachable' when Slack
 * says the conversation cannot be reached, otherwise 'delivery_failed' (worth retrying).
 */
export class SlackDeliveryError extends BotError {
  constructor(
    /** The Web API method, e.g. chat.postMessage. */
    readonly method: string,
    /** Slack's error code (`channel_not_found`), `http_503`, `ratelimited` or the network error code. */
    readonly slackError: string,
  ) {
    super(UNREACHABLE_SLACK_ERRORS.has(slackError) ? 'recipient_unreachable' : 'delivery_failed', `Slack ${method} failed: ${slackError}`);
    this.name = 'SlackDeliveryError';
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

/**
 * A short, safe description of anything the Slack SDK throws. Reads the documented shapes
 * (`code`, `data.error`, `statusCode`, `original.code`) without importing the SDK.
 */
export function describeSlackError(error: unknown): string {
  if (!isRecord(error)) return 'unknown_error';
  switch (error.code) {
    case 'slack_webapi_platform_error': {
      const data = error.data;
      return isRecord(data) && typeof data.error === 'string' ? data.error.slice(0, 80) : 'platform_error';
    }
    case 'slack_webapi_rate_limited_error':
      return 'ratelimited';
    case 'slack_webapi_http_error':
      return typeof error.statusCode === 'number' ? `http_${error.statusCode}` : 'http_error';
    case 'slack_webapi_request_error': {
      const original = error.original;
      const cause = isRecord(original) && isRecord(original.cause) ? original.cause : original;
      if (isRecord(cause) && typeof cause.code === 'string') return cause.code.slice(0, 40);
      if (isRecord(original) && original.name === 'TimeoutError') return 'timeout';
      return 'request_failed';
    }
    default:
      return typeof error.code === 'string' && /^[a-z0-9_]{1,60}$/i.test(error.code) ? error.code : 'unknown_error';
  }
}
