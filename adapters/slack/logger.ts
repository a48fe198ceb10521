// Bolt and its WebClient log through this, into our pino logger. Their debug lines print
// request and response bodies (message text, and with developerMode whole payloads), so debug
// is dropped; what remains is reduced to plain strings and error codes.

import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from 'pino';
import { cutCodePoints } from '../../src/knowledge/text.ts';
import { describeSlackError } from './errors.ts';

function line(parts: unknown[]): string {
  return parts
    .map((part) => (typeof part === 'string' ? cutCodePoints(part, 300) : part instanceof Error || typeof part === 'object' ? `[${describeSlackError(part)}]` : String(part)))
    .join(' ');
}

export function boltLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  return {
    debug: () => undefined,
    info: (...parts: unknown[]) => logger.debug({ source: 'bolt' }, line(parts)),
    warn: (...parts: unknown[]) => logger.warn({ source: 'bolt' }, line(parts)),
    error: (...parts: unknown[]) => logger.error({ source: 'bolt' }, line(parts)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
