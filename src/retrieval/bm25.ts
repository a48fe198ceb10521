// Okapi BM25 over pre-tokenised clauses. Small and serialisable, so the index can be stored
// with the rest of the knowledge index and loaded without segmenting the policies again.

export interface Bm25Data {
  k1: number;
  b: number;
  docLengths: number[];
  /** token -> [docIndex, termFrequency, docIndex, termFrequency, ...] */
  postings: Record<string, number[]>;
}

export class Bm25Index {
  private readonly avgLength: number;
  private readonly postings: Map<string, number[]>;

  constructor(private readonly data: Bm25Data) {
    this.postings = new Map(Object.entries(data.postings));
    const total = data.docLengths.reduce((a, b) => a + b, 0);
    this.avgLength = data.docLengths.length === 0 ? 1 : total / data.docLengths.length;
  }

  static build(docs: string[][], k1 = 1.2, b = 0.75): Bm25Index {
    const postings: Record<string, number[]> = {};
    docs.forEach((tokens, doc) => {
      const tf = new Map<string, number>();
      for (const t of tokens) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const [t, n] of tf) (postings[t] ??= []).push(doc, n);
    });
    return new Bm25Index({ k1, b, docLengths: docs.map((d) => d.length), postings });
  }

  get size(): number {
    return this.data.docLengths.length;
  }

  toJSON(): Bm25Data {
    return this.data;
  }

  has(token: string): boolean {
    return this.postings.has(token);
  }

  docFrequency(token: string): number {
    return (this.postings.get(token)?.length ?? 0) / 2;
  }

  idf(token: string): number {
    const n = this.size;
    const df = this.docFrequency(token);
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** The documents that contain `token`. */
  docsWith(token: string): number[] {
    const list = this.postings.get(token) ?? [];
    const docs: number[] = [];
    for (let i = 0; i < list.length; i += 2) docs.push(list[i]!);
    return docs;
  }

  /** Does document `doc` contain `token`? */
  contains(doc: number, token: string): boolean {
    const list = this.postings.get(token);
    if (!list) return false;
    for (let i = 0; i < list.length; i += 2) if (list[i] === doc) return true;
    return false;
  }

  /** Scores for every document that shares a token with the query, weighted per query token. */
  score(query: Map<string, number>): Map<number, number> {
    const { k1, b, docLengths } = this.data;
    const scores = new Map<number, number>();
    for (const [token, weight] of query) {
      const list = this.postings.get(token);
      if (!list) continue;
      const idf = this.idf(token);
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i]!;
        const tf = list[i + 1]!;
        const norm = tf + k1 * (1 - b + (b * docLengths[doc]!) / this.avgLength);
        scores.set(doc, (scores.get(doc) ?? 0) + weight * idf * ((tf * (k1 + 1)) / norm));
      }
    }
    return scores;
  }
}
