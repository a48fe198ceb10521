// Structured JSON logs (pino). Message text, contact details and secrets never reach the logs
// at info level: the core logs only ids, intents and timings, and these paths are redacted
// in case a caller passes a whole object.

import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'text',
  '*.text',
  'contact',
  '*.contact',
  'contactEncrypted',
  '*.contactEncrypted',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'privacy-bot' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options, pino.destination(2));
}
