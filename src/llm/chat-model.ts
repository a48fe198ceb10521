// The configured chat model: langchain's ChatOpenAI against any OpenAI-compatible endpoint
// (vLLM, Ollama, Xinference, hosted). No retries: a second try would spend the channel's
// time budget (WeChat waits 4.5 s), and the offline answer is always there instead.

import { ChatOpenAI } from '@langchain/openai';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import type { LlmConfig } from '../config.ts';

export function createChatModel(config: LlmConfig): BaseChatModel {
  return new ChatOpenAI({
    model: config.model,
    // Local servers accept any key; the client library insists on one.
    apiKey: config.apiKey ?? 'not-needed',
    configuration: { baseURL: config.baseUrl },
    temperature: 0,
    maxRetries: 0,
    timeout: config.timeoutMs,
  });
}
