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
  private scratch: { phrase: Float64Array; phraseSeen: Uint8Array; best: Float64Array } | null = null;

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

  /** Does document `doc` contain `token`? (Postings are in document order: a binary search.) */
  contains(doc: number, token: string): boolean {
    const list = this.postings.get(token);
    if (!list) return false;
    let lo = 0;
    let hi = list.length / 2 - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const d = list[mid * 2]!;
      if (d === doc) return true;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Scores for every document that shares a token with the query, weighted per query token. */
  score(query: Map<string, number>): Map<number, number> {
    const { scores, touched } = this.scoreDense(query);
    const result = new Map<number, number>();
    for (const doc of touched) result.set(doc, scores[doc]!);
    return result;
  }

  /**
   * The same scores in a dense array (one slot per document) plus the documents touched,
   * in first-touch order: accumulating into a typed array is several times faster than a
   * Map when a common word matches most of a large tenant.
   */
  scoreDense(query: Map<string, number>): { scores: Float64Array; touched: number[] } {
    const n = this.data.docLengths.length;
    const scores = new Float64Array(n);
    const seen = new Uint8Array(n);
    const touched: number[] = [];
    this.accumulate(query, scores, seen, touched);
    return { scores, touched };
  }

  /**
   * Like scoreDense for `base`, plus groups of alternative phrases (the expansions of one
   * lexicon entry): a group adds only its best phrase's score to a document, so an entry that
   * lists four synonyms does not count four times for a clause that uses them all.
   */
  scoreGrouped(base: Map<string, number>, groups: Map<string, number>[][]): { scores: Float64Array; touched: number[] } {
    const n = this.data.docLengths.length;
    const { scores, touched } = this.scoreDense(base);
    const seen = new Uint8Array(n);
    for (const doc of touched) seen[doc] = 1;
    // Scratch space, left zeroed after every use, so a query allocates no more than scoreDense.
    this.scratch ??= { phrase: new Float64Array(n), phraseSeen: new Uint8Array(n), best: new Float64Array(n) };
    const { phrase, phraseSeen, best } = this.scratch;
    for (const group of groups) {
      const groupTouched: number[] = [];
      for (const p of group) {
        const phraseTouched: number[] = [];
        this.accumulate(p, phrase, phraseSeen, phraseTouched);
        for (const doc of phraseTouched) {
          if (best[doc] === 0) groupTouched.push(doc);
          if (phrase[doc]! > best[doc]!) best[doc] = phrase[doc]!;
          phrase[doc] = 0;
          phraseSeen[doc] = 0;
        }
      }
      for (const doc of groupTouched) {
        scores[doc] = scores[doc]! + best[doc]!;
        best[doc] = 0;
        if (seen[doc] === 0) {
          seen[doc] = 1;
          touched.push(doc);
        }
      }
    }
    return { scores, touched };
  }

  private accumulate(query: Map<string, number>, scores: Float64Array, seen: Uint8Array, touched: number[]): void {
    const { k1, b, docLengths } = this.data;
    const lengthFactor = (k1 * b) / this.avgLength;
    const base = k1 * (1 - b);
    for (const [token, weight] of query) {
      const list = this.postings.get(token);
      if (!list) continue;
      const factor = weight * this.idf(token) * (k1 + 1);
      for (let i = 0; i < list.length; i += 2) {
        const doc = list[i]!;
        const tf = list[i + 1]!;
        scores[doc] = scores[doc]! + (factor * tf) / (tf + base + lengthFactor * docLengths[doc]!);
        if (seen[doc] === 0) {
          seen[doc] = 1;
          touched.push(doc);
        }
      }
    }
  }
}
