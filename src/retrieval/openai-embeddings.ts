// Embeddings from any OpenAI-compatible endpoint (POST {baseUrl}/embeddings). Optional:
// the bot runs on CorpusEmbeddings when no endpoint is configured.

import { Embeddings } from '@langchain/core/embeddings';
import { z } from 'zod';
import { BotError } from '../errors.ts';

const ResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })),
});

export interface OpenAiEmbeddingsOptions {
  baseUrl: string;
  model: string;
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
}

export class OpenAiCompatibleEmbeddings extends Embeddings {
  constructor(private readonly options: OpenAiEmbeddingsOptions) {
    super({ maxRetries: 2 });
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    const size = this.options.batchSize ?? 64;
    const out: number[][] = [];
    for (let i = 0; i < documents.length; i += size) {
      out.push(...(await this.caller.call(() => this.request(documents.slice(i, i + size)))));
    }
    return out;
  }

  async embedQuery(document: string): Promise<number[]> {
    const [vector] = await this.caller.call(() => this.request([document]));
    return vector!;
  }

  private async request(input: string[]): Promise<number[][]> {
    const url = `${this.options.baseUrl.replace(/\/$/, '')}/embeddings`;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const response = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: this.options.model, input }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    if (!response.ok) {
      throw new BotError('embeddings_failed', `Embeddings endpoint ${url} answered HTTP ${response.status}.`);
    }
    const parsed = ResponseSchema.safeParse(await response.json());
    if (!parsed.success || parsed.data.data.length !== input.length) {
      throw new BotError('embeddings_failed', `Embeddings endpoint ${url} returned an unexpected body.`);
    }
    return [...parsed.data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
  }
}
