// The default embedding: latent semantic analysis computed from the policies themselves.
// A truncated SVD of the clause-term TF-IDF matrix places words that occur in the same
// clauses (注销 and 账号, 儿童 and 监护人) near each other. Nothing is downloaded: the model is
// fitted at ingest time and stored with the index.

import { Embeddings } from '@langchain/core/embeddings';
import { tokens } from './tokenizer.ts';

export interface CorpusEmbeddingsModel {
  dimensions: number;
  vocabulary: string[];
  idf: number[];
  /** Row-major |vocabulary| x dimensions term vectors, base64 of a Float32Array. */
  termVectors: string;
}

export class CorpusEmbeddings extends Embeddings {
  readonly dimensions: number;
  private readonly index: Map<string, number>;
  private readonly idf: Float32Array;
  private readonly vectors: Float32Array;

  constructor(readonly model: CorpusEmbeddingsModel) {
    super({});
    this.dimensions = model.dimensions;
    this.index = new Map(model.vocabulary.map((t, i) => [t, i]));
    this.idf = Float32Array.from(model.idf);
    const bytes = Buffer.from(model.termVectors, 'base64');
    this.vectors = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  }

  /** Fits the model on a corpus of texts (one per clause). */
  static fit(texts: string[], options: { dimensions?: number; seed?: number; tokenLists?: string[][] } = {}): CorpusEmbeddings {
    const docs = options.tokenLists ?? texts.map(tokens);
    const df = new Map<string, number>();
    for (const doc of docs) for (const t of new Set(doc)) df.set(t, (df.get(t) ?? 0) + 1);
    const vocabulary = [...df.keys()].filter((t) => (df.get(t) ?? 0) >= 2).sort();
    const index = new Map(vocabulary.map((t, i) => [t, i]));
    const n = docs.length;
    const idf = vocabulary.map((t) => Math.log((1 + n) / (1 + (df.get(t) ?? 0))) + 1);
    const rows = docs.map((doc) => weigh(doc, index, idf));
    const k = Math.max(1, Math.min(options.dimensions ?? 96, n - 1, vocabulary.length - 1));
    const v = truncatedRightSingularVectors(rows, vocabulary.length, k, options.seed ?? 7);
    return new CorpusEmbeddings({
      dimensions: k,
      vocabulary,
      idf,
      termVectors: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64'),
    });
  }

  embedText(text: string): number[] {
    const row = weigh(tokens(text), this.index, this.idf);
    const k = this.dimensions;
    const out = new Array<number>(k).fill(0);
    for (let i = 0; i < row.cols.length; i++) {
      const base = row.cols[i]! * k;
      const w = row.vals[i]!;
      for (let d = 0; d < k; d++) out[d]! += w * this.vectors[base + d]!;
    }
    const norm = Math.hypot(...out);
    // A text with no known term gets a zero vector; cosine search then ranks nothing highly.
    return norm === 0 ? out : out.map((x) => x / norm);
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return documents.map((d) => this.embedText(d));
  }

  async embedQuery(document: string): Promise<number[]> {
    return this.embedText(document);
  }
}

interface SparseRow {
  cols: number[];
  vals: number[];
}

function weigh(doc: string[], index: Map<string, number>, idf: ArrayLike<number>): SparseRow {
  const tf = new Map<number, number>();
  for (const t of doc) {
    const i = index.get(t);
    if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
  }
  const cols = [...tf.keys()];
  const vals = cols.map((c) => (1 + Math.log(tf.get(c)!)) * idf[c]!);
  const norm = Math.hypot(...vals) || 1;
  return { cols, vals: vals.map((v) => v / norm) };
}

/** Deterministic standard normal numbers (mulberry32 + Box-Muller). */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

/**
 * Randomised SVD (Halko, Martinsson & Tropp 2011) of the sparse n x m matrix `rows`,
 * returning the top-k right singular vectors as an m x k row-major matrix.
 */
function truncatedRightSingularVectors(rows: SparseRow[], m: number, k: number, seed: number): Float32Array {
  const n = rows.length;
  const l = Math.min(k + 10, n, m);
  const rand = gaussian(seed);
  // Y = X * Omega  (n x l), Omega is m x l
  const omega = new Float64Array(m * l);
  for (let i = 0; i < omega.length; i++) omega[i] = rand();
  let y = multiplyX(rows, omega, l, n);
  for (let power = 0; power < 2; power++) {
    orthonormalise(y, n, l);
    y = multiplyX(rows, multiplyXt(rows, y, l, m), l, n);
  }
  orthonormalise(y, n, l);
  // B = Q^T X (l x m), stored as m x l (B transposed) = X^T Q
  const bt = multiplyXt(rows, y, l, m);
  // C = B B^T (l x l)
  const c = new Float64Array(l * l);
  for (let r = 0; r < m; r++) {
    const base = r * l;
    for (let i = 0; i < l; i++) {
      const bi = bt[base + i]!;
      if (bi === 0) continue;
      for (let j = i; j < l; j++) c[i * l + j]! += bi * bt[base + j]!;
    }
  }
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) c[i * l + j] = c[j * l + i]!;
  const { values, vectors } = jacobiEigen(c, l);
  const order = [...values.keys()].sort((a, b) => values[b]! - values[a]!).slice(0, k);
  // V = B^T W / sigma  (m x k)
  const v = new Float32Array(m * k);
  order.forEach((col, d) => {
    const sigma = Math.sqrt(Math.max(values[col]!, 1e-12));
    for (let r = 0; r < m; r++) {
      let sum = 0;
      for (let i = 0; i < l; i++) sum += bt[r * l + i]! * vectors[i * l + col]!;
      v[r * k + d] = sum / sigma;
    }
  });
  return v;
}

function multiplyX(rows: SparseRow[], dense: Float64Array, width: number, n: number): Float64Array {
  const out = new Float64Array(n * width);
  rows.forEach((row, r) => {
    for (let i = 0; i < row.cols.length; i++) {
      const base = row.cols[i]! * width;
      const w = row.vals[i]!;
      for (let j = 0; j < width; j++) out[r * width + j]! += w * dense[base + j]!;
    }
  });
  return out;
}

function multiplyXt(rows: SparseRow[], dense: Float64Array, width: number, m: number): Float64Array {
  const out = new Float64Array(m * width);
  rows.forEach((row, r) => {
    for (let i = 0; i < row.cols.length; i++) {
      const base = row.cols[i]! * width;
      const w = row.vals[i]!;
      for (let j = 0; j < width; j++) out[base + j]! += w * dense[r * width + j]!;
    }
  });
  return out;
}

/** Modified Gram-Schmidt on the columns of an n x l row-major matrix. */
function orthonormalise(a: Float64Array, n: number, l: number): void {
  for (let j = 0; j < l; j++) {
    for (let p = 0; p < j; p++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += a[r * l + j]! * a[r * l + p]!;
      for (let r = 0; r < n; r++) a[r * l + j]! -= dot * a[r * l + p]!;
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += a[r * l + j]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let r = 0; r < n; r++) a[r * l + j]! /= norm;
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix. */
function jacobiEigen(input: Float64Array, l: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(input);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (a[q * l + q]! - a[p * l + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let r = 0; r < l; r++) {
          const arp = a[r * l + p]!;
          const arq = a[r * l + q]!;
          a[r * l + p] = cos * arp - sin * arq;
          a[r * l + q] = sin * arp + cos * arq;
        }
        for (let r = 0; r < l; r++) {
          const apr = a[p * l + r]!;
          const aqr = a[q * l + r]!;
          a[p * l + r] = cos * apr - sin * aqr;
          a[q * l + r] = sin * apr + cos * aqr;
        }
        for (let r = 0; r < l; r++) {
          const vrp = v[r * l + p]!;
          const vrq = v[r * l + q]!;
          v[r * l + p] = cos * vrp - sin * vrq;
          v[r * l + q] = sin * vrp + cos * vrq;
        }
      }
    }
  }
  return { values: Array.from({ length: l }, (_, i) => a[i * l + i]!), vectors: v };
}
