// One error type for everything the bot refuses on purpose. `code` is what callers branch on;
// the message is written for the person who has to fix the input or the configuration.

export type BotErrorCode =
  | 'invalid_input'
  | 'unknown_tenant'
  | 'invalid_knowledge'
  | 'invalid_config'
  | 'embeddings_failed'
  | 'index_failed'
  | 'not_found'
  | 'invalid_transition'
  | 'delivery_failed'
  /** A push cannot reach the person and retrying will not help (WeChat 45015: outside the 48-hour window). */
  | 'recipient_unreachable'
  | 'storage_failed'
  /** A push cannot reach the person and retrying will not help (WeChat 45015: outside the 48-hour window). */
  | 'recipient_unreachable'
  /** Too many turns in flight; the caller may retry shortly. */
  | 'busy';

export class BotError extends Error {
  readonly code: BotErrorCode;

  constructor(code: BotErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BotError';
    this.code = code;
  }
}

export function isBotError(error: unknown, code?: BotErrorCode): error is BotError {
  return error instanceof BotError && (code === undefined || error.code === code);
}
