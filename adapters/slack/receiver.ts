// Bolt's transport, served on our shared HTTP server instead of Bolt's own.
// https://docs.slack.dev/tools/bolt-js/concepts/receiver
// A receiver has three methods (init, start, stop) and hands each verified request to
// `app.processEvent({ body, ack, retryNum, retryReason })`. The shared server owns the socket,
// the body limit and graceful shutdown, so start and stop have nothing to do; the route below
// is what Bolt's HTTPReceiver does per request: verify, parse, answer url_verification, ack.

import type { ServerResponse } from 'node:http';
import { HTTPModuleFunctions, type App, type Receiver } from '@slack/bolt';
import type { Logger } from 'pino';
import type { HttpRequest, Route } from '../../src/channels/channel.ts';
import type { Metrics } from '../../src/server/metrics.ts';
import { sendJson } from '../../src/server/server.ts';
import { describeSlackError } from './errors.ts';
import { CHANNEL_NAME, parseRequestBody, type SlackRequestBody } from './parse.ts';
import { verifySlackSignature } from './verify.ts';

export const EVENTS_PATH = '/slack/events';

/**
 * Slack wants a 2xx within 3 seconds. Bolt acknowledges an event only after `authorize` (an
 * auth.test call the first time), so if that is slow the request is acknowledged here anyway;
 * the work goes on, and Slack does not retry.
 */
export const ACK_DEADLINE_MS = 2500;

export interface SharedServerReceiverOptions {
  signingSecret: string;
  logger: Logger;
  metrics: Metrics;
  now?: () => number;
  ackDeadlineMs?: number;
  /**
   * Requests to answer only after they were processed (Bolt's processBeforeResponse, per
   * request): an agent's message is in the store before Slack hears "200", and a failure
   * answers 500 so Slack redelivers it. The ack deadline still answers in time.
   */
  processBeforeResponse?: (body: SlackRequestBody) => boolean;
}

export class SharedServerReceiver implements Receiver {
  private app: App | null = null;

  constructor(private readonly options: SharedServerReceiverOptions) {}

  init(app: App): void {
    this.app = app;
  }

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  route(): Route {
    return { method: 'POST', path: EVENTS_PATH, handle: (request, response) => this.handle(request, response) };
  }

  private async handle(request: HttpRequest, response: ServerResponse): Promise<void> {
    const { logger, metrics, signingSecret } = this.options;
    const rawBody = request.body.toString('utf8');
    const check = verifySlackSignature({
      signingSecret,
      rawBody,
      signature: request.headers['x-slack-signature'],
      timestamp: request.headers['x-slack-request-timestamp'],
      nowMs: (this.options.now ?? Date.now)(),
    });
    if (!check.ok) {
      metrics.rejected(CHANNEL_NAME, check.reason);
      logger.warn({ reason: check.reason }, 'slack request refused');
      return sendJson(response, 401, { error: 'invalid request signature' });
    }

    const parsed = parseRequestBody(rawBody, request.headers['content-type']);
    if (!parsed.ok) {
      metrics.rejected(CHANNEL_NAME, parsed.reason);
      logger.warn({ reason: parsed.reason }, 'slack request refused');
      return sendJson(response, 400, { error: 'malformed body' });
    }
    const { body } = parsed;
    // https://docs.slack.dev/reference/events/url_verification
    if (body.type === 'url_verification') return sendJson(response, 200, { challenge: body.challenge });
    const app = this.app;
    if (!app) return sendJson(response, 503, { error: 'slack app not initialised' });

    let acked = false;
    let responded = false;
    // What a held request was acknowledged with, sent once it is processed.
    const held: { reply?: unknown } = {};
    const respond = (reply?: unknown): void => {
      if (responded) return;
      responded = true;
      clearTimeout(deadline);
      if (!response.headersSent) HTTPModuleFunctions.buildContentResponse(response, reply);
    };
    const hold = this.options.processBeforeResponse?.(body) ?? false;
    const ack = async (reply?: unknown): Promise<void> => {
      if (acked) return;
      acked = true;
      if (hold) held.reply = reply;
      else respond(reply);
    };
    const deadline = setTimeout(() => {
      acked = true;
      respond(held.reply);
    }, this.options.ackDeadlineMs ?? ACK_DEADLINE_MS);
    try {
      await app.processEvent({
        body,
        ack,
        retryNum: HTTPModuleFunctions.extractRetryNumFromHTTPRequest(request.raw),
        retryReason: HTTPModuleFunctions.extractRetryReasonFromHTTPRequest(request.raw),
      });
    } catch (error) {
      // Not answered yet (a held ack is not an answer). An event gets 500 so that Slack redelivers
      // it later; Slack never redelivers interactivity payloads, and one Bolt cannot process is
      // the sender's fault: 400.
      if (!responded) {
        responded = true;
        acked = true;
        clearTimeout(deadline);
        logger.error({ slackError: describeSlackError(error) }, 'slack request not processed');
        if (body.type === 'event_callback') sendJson(response, 500, { error: 'not processed' });
        else {
          metrics.rejected(CHANNEL_NAME, 'unprocessable');
          sendJson(response, 400, { error: 'unprocessable payload' });
        }
      } else {
        logger.error({ slackError: describeSlackError(error) }, 'slack request failed after its ack');
      }
    } finally {
      // Processed (a held ack goes out now), or nothing listened (an event type we do not
      // handle): still a 200, or Slack retries it.
      acked = true;
      respond(held.reply);
    }
  }
}
