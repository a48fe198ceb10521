// A langchain callback handler that logs how long each named step of a pipeline took (and
// each model call), by run id: step names and milliseconds only, never inputs or outputs,
// which carry the user's text.

import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { Logger } from 'pino';

export class StepTimer extends BaseCallbackHandler {
  name = 'step-timer';
  // Log before invoke() returns, so a turn's timings are complete when its reply is sent.
  override awaitHandlers = true;
  private readonly started = new Map<string, { step: string; at: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {
    super();
  }

  private start(runId: string, serialized: Serialized, runName: string | undefined): void {
    this.started.set(runId, { step: runName ?? serialized.id.at(-1) ?? 'step', at: this.now() });
  }

  private end(runId: string, failed: boolean): void {
    const run = this.started.get(runId);
    if (!run) return;
    this.started.delete(runId);
    this.logger.debug({ step: run.step, ms: Number((this.now() - run.at).toFixed(2)), ...(failed ? { failed } : {}) }, 'answer step');
  }

  // @langchain/core 1.4 calls this with (chain, inputs, runId, parentRunId, tags, metadata,
  // runType, runName): the run name is the eighth argument, not the seventh its types say.
  override handleChainStart(chain: Serialized, _inputs: unknown, runId: string, ...rest: unknown[]): void {
    const runName = rest[4];
    this.start(runId, chain, typeof runName === 'string' ? runName : undefined);
  }

  override handleChainEnd(_outputs: unknown, runId: string): void {
    this.end(runId, false);
  }

  override handleChainError(_err: Error, runId: string): void {
    this.end(runId, true);
  }

  override handleChatModelStart(llm: Serialized, _messages: unknown, runId: string, _parentRunId?: string, _extra?: Record<string, unknown>, _tags?: string[], _metadata?: Record<string, unknown>, runName?: string): void {
    this.start(runId, llm, runName ?? 'model');
  }

  override handleLLMEnd(_output: unknown, runId: string): void {
    this.end(runId, false);
  }

  override handleLLMError(_err: Error, runId: string): void {
    this.end(runId, true);
  }
}
