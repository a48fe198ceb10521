// Builds the per-tenant indexes from the knowledge base and keeps them under the data
// directory. The directory name carries a hash of everything the index depends on (policy
// texts, manifest, lexicon, embedding choice, format and parser versions), so a change to any of them
// triggers a rebuild and an unchanged knowledge base loads in milliseconds.

import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { BotError } from '../errors.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { PARSER_VERSION, type Clause } from '../knowledge/parser.ts';
import { Bm25Index, type Bm25Data } from './bm25.ts';
import { CorpusEmbeddings, type CorpusEmbeddingsModel } from './corpus-embeddings.ts';
import type { QueryEmbedder, TenantIndex } from './hybrid-retriever.ts';
import type { Lexicon } from './lexicon.ts';
import { analyze } from './tokenizer.ts';

const { HierarchicalNSW } = hnswlib;
const FORMAT_VERSION = 6;

export interface DocumentEmbedder extends QueryEmbedder {
  embedDocuments(texts: string[]): Promise<number[][]>;
}

export interface EmbeddingChoice {
  /** Identifies the embedding in the index hash, e.g. "corpus-lsa" or "openai:text-embedding-3-small@https://...". */
  id: string;
  /** An external embedder; null means the corpus embedding fitted at ingest. */
  external: DocumentEmbedder | null;
}

export interface LoadedIndex {
  hash: string;
  dir: string;
  tenants: Map<string, TenantIndex>;
  embedder: QueryEmbedder;
}

export interface BuildProgress {
  (step: { phase: 'analyse' | 'embed' | 'index'; done: number; total: number }): void;
}

/**
 * Text a clause is indexed under: its headings (which repeat its own title, as they name the
 * topic) and its text. The title is added once more only when neither already carries it: a
 * titled clause's text starts with its title, and three copies let the heading outweigh the body.
 */
export function indexedText(clause: Clause): string {
  const headings = clause.headingPath.map((h) => h.replace(/^[\d.()（）一二三四五六七八九十第章条节]+\s*/, '')).join(' ');
  const title = clause.title.trim();
  const repeated = title === '' || (headings.includes(title) && clause.text.includes(title));
  return repeated ? `${headings}\n${clause.text}` : `${headings}\n${title}\n${clause.text}`;
}

/**
 * Tables of contents are never evidence, and neither is a bare section heading with
 * sub-clauses: its children carry the heading in their own indexed text.
 */
export function isRetrievable(clause: Clause, _index: number, all: Clause[]): boolean {
  if (clause.kind === 'contents') return false;
  const bare = clause.text.trim() === clause.title.trim() || clause.text.trim().replace(/^[【[]|[】\]]$/g, '') === clause.title.trim();
  return !(bare && all.some((c) => c.parentId === clause.clauseId));
}

export function indexHash(kb: KnowledgeBase, lexicon: Lexicon, embedding: EmbeddingChoice, parserVersion: number = PARSER_VERSION): string {
  return createHash('sha256')
    // The parser version: the same texts parse differently after a parser change.
    .update(`v${FORMAT_VERSION}\0p${parserVersion}\0${kb.contentHash}\0${embedding.id}\0`)
    .update(lexicon.source)
    .digest('hex')
    .slice(0, 16);
}

export function indexExists(dataDir: string, hash: string): boolean {
  return existsSync(join(dataDir, 'index', hash, 'meta.json'));
}

/** What meta.json records, so the next build can tell which tenants changed. */
interface IndexMeta {
  hash: string;
  /** The embedding model the vectors come from (a fitted corpus model is kept across partial builds). */
  model?: string;
  /** Each tenant's content hash. */
  tenants?: Record<string, string>;
}

/** Everything one tenant's index files depend on: its clauses, policies, the lexicon, the model. */
export function tenantHash(kb: KnowledgeBase, tenantId: string, lexicon: Lexicon, model: string): string {
  const policies = kb.policies.filter((p) => p.tenant === tenantId);
  const ids = new Set(policies.map((p) => p.id));
  return createHash('sha256')
    .update(`v${FORMAT_VERSION}\0${model}\0${tenantId}\0`)
    .update(JSON.stringify(policies))
    .update(JSON.stringify(kb.clauses.filter((c) => ids.has(c.policyId))))
    .update(lexicon.source)
    .digest('hex')
    .slice(0, 16);
}

function readMeta(dir: string): IndexMeta | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as IndexMeta;
  } catch {
    return null;
  }
}

/** The most recent complete index other than `hash`, if any (what serves while a new one builds). */
export function previousIndexDir(dataDir: string, hash: string): string | null {
  const root = join(dataDir, 'index');
  if (!existsSync(root)) return null;
  const candidates = readdirSync(root)
    .filter((name) => name !== hash && !name.includes('.tmp-') && existsSync(join(root, name, 'meta.json')))
    .map((name) => join(root, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return candidates[0] ?? null;
}

/**
 * Builds the index for the current knowledge. Unless `full`, tenants whose content hash is
 * unchanged since the previous index are copied from it, and the corpus embedding model
 * fitted then is kept (new clauses are projected into it), so editing one policy re-indexes
 * one tenant; `ingest --force` refits everything.
 */
export async function buildIndex(
  kb: KnowledgeBase,
  lexicon: Lexicon,
  dataDir: string,
  embedding: EmbeddingChoice,
  progress?: BuildProgress,
  options: { full?: boolean } = {},
): Promise<LoadedIndex & { rebuiltTenants: string[] }> {
  const hash = indexHash(kb, lexicon, embedding);
  const root = join(dataDir, 'index');
  const tmp = join(root, `${hash}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });

  const previousDir = options.full ? null : previousIndexDir(dataDir, hash);
  const previous = previousDir ? readMeta(previousDir) : null;
  const canReuse = previousDir !== null && previous?.model !== undefined && previous.tenants !== undefined &&
    (embedding.external ? previous.model === embedding.id : previous.model.startsWith('corpus-lsa:') && existsSync(join(previousDir, 'embeddings.json')));

  const retrievable = kb.clauses.filter(isRetrievable);
  const texts = retrievable.map(indexedText);
  const tokenLists: (string[] | undefined)[] = new Array(texts.length);
  const analyse = (i: number) => {
    if (!tokenLists[i]) {
      const { words, bigrams } = analyze(texts[i]!);
      tokenLists[i] = words.concat(bigrams);
    }
    return tokenLists[i]!;
  };

  let embedder: DocumentEmbedder;
  let model: string;
  if (embedding.external) {
    embedder = embedding.external;
    model = embedding.id;
  } else if (canReuse) {
    const json = readFileSync(join(previousDir!, 'embeddings.json'), 'utf8');
    writeFileSync(join(tmp, 'embeddings.json'), json);
    embedder = new CorpusEmbeddings(JSON.parse(json) as CorpusEmbeddingsModel);
    model = previous!.model!;
  } else {
    texts.forEach((_, i) => {
      analyse(i);
      if (i % 200 === 0 || i === texts.length - 1) progress?.({ phase: 'analyse', done: i + 1, total: texts.length });
    });
    const corpus = CorpusEmbeddings.fit(texts, { tokenLists: tokenLists as string[][] });
    const json = JSON.stringify(corpus.model);
    writeFileSync(join(tmp, 'embeddings.json'), json);
    embedder = corpus;
    model = `corpus-lsa:${createHash('sha256').update(json).digest('hex').slice(0, 16)}`;
  }

  // External vectors cost API calls: texts embedded by an earlier build are not sent again.
  const cached = embedding.external ? await embedWithCache(dataDir, embedding, texts, progress) : null;

  const policyTenant = new Map(kb.policies.map((p) => [p.id, p.tenant]));
  const policyLanguage = new Map(kb.policies.map((p) => [p.id, p.language]));
  const tenants = new Map<string, TenantIndex>();
  const tenantHashes: Record<string, string> = {};
  const rebuiltTenants: string[] = [];
  let done = 0;
  for (const tenant of kb.tenants) {
    const own = tenantHash(kb, tenant.id, lexicon, model);
    tenantHashes[tenant.id] = own;
    const members = retrievable.map((c, i) => ({ c, i })).filter(({ c }) => policyTenant.get(c.policyId) === tenant.id);
    const clauses = members.map(({ c }) => c);
    const languages = new Map(clauses.map((c) => [c.policyId, policyLanguage.get(c.policyId) ?? 'zh'] as const));
    if (canReuse && previous!.tenants![tenant.id] === own && existsSync(join(previousDir!, `${tenant.id}.json`))) {
      for (const file of [`${tenant.id}.json`, `${tenant.id}.hnsw`]) {
        if (existsSync(join(previousDir!, file))) copyFileSync(join(previousDir!, file), join(tmp, file));
      }
      tenants.set(tenant.id, readTenant(tmp, tenant.id, policyLanguage));
      done += members.length;
      progress?.({ phase: 'index', done: tenants.size, total: kb.tenants.length });
      continue;
    }
    rebuiltTenants.push(tenant.id);
    const bm25 = Bm25Index.build(members.map(({ i }) => analyse(i)));
    const vectors = cached
      ? members.map(({ i }) => cached[i]!)
      : await embedInBatches(embedder, members.map(({ i }) => texts[i]!), (n) => progress?.({ phase: 'embed', done: done + n, total: retrievable.length }));
    done += members.length;
    let hnsw: InstanceType<typeof HierarchicalNSW> | null = null;
    const dim = vectors[0]?.length ?? 0;
    if (dim > 0) {
      hnsw = new HierarchicalNSW('cosine', dim);
      hnsw.initIndex({ maxElements: Math.max(1, vectors.length), m: 16, efConstruction: 200, randomSeed: 42 });
      vectors.forEach((v, label) => hnsw!.addPoint(v, label));
      hnsw.setEf(64);
      hnsw.writeIndexSync(join(tmp, `${tenant.id}.hnsw`));
    }
    writeFileSync(join(tmp, `${tenant.id}.json`), JSON.stringify({ clauses, bm25: bm25.toJSON(), dimensions: dim }));
    tenants.set(tenant.id, { tenant: tenant.id, clauses, bm25, vectors: hnsw, languages });
    progress?.({ phase: 'index', done: tenants.size, total: kb.tenants.length });
  }
  const meta: IndexMeta & Record<string, unknown> = { hash, builtAt: new Date().toISOString(), embedding: embedding.id, clauses: retrievable.length, model, tenants: tenantHashes };
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));

  // Publish atomically: concurrent builders race on the rename, and the loser's copy is dropped.
  const dir = join(root, hash);
  try {
    renameSync(tmp, dir);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  removeStaleIndexes(root, hash);
  return { hash, dir, tenants, embedder, rebuiltTenants };
}

function readTenant(dir: string, tenantId: string, policyLanguage: Map<string, TenantIndex['languages'] extends Map<string, infer L> ? L : never>): TenantIndex {
  const file = TenantFileSchema.parse(JSON.parse(readFileSync(join(dir, `${tenantId}.json`), 'utf8')));
  const languages = new Map(file.clauses.map((c) => [c.policyId, policyLanguage.get(c.policyId) ?? 'zh'] as const));
  let vectors: InstanceType<typeof HierarchicalNSW> | null = null;
  if (file.dimensions > 0) {
    vectors = new HierarchicalNSW('cosine', file.dimensions);
    vectors.readIndexSync(join(dir, `${tenantId}.hnsw`));
    vectors.setEf(64);
  }
  return { tenant: tenantId, clauses: file.clauses, bm25: new Bm25Index(file.bm25), vectors, languages };
}

async function embedInBatches(embedder: DocumentEmbedder, texts: string[], onProgress: (n: number) => void): Promise<number[][]> {
  const out: number[][] = [];
  for (let i = 0; i < texts.length; i += 64) {
    const batch = texts.slice(i, i + 64);
    out.push(...(embedder.embedText ? batch.map((t) => embedder.embedText!(t)) : await embedder.embedDocuments(batch)));
    onProgress(out.length);
  }
  return out;
}

/**
 * Vectors of `texts` from an external embedder, reusing those of an earlier build: kept in
 * DATA_DIR/embedding-cache/<hash of the embedding id>.json as float32 base64 by text hash,
 * pruned to the texts of this build. Adding one policy then embeds only its clauses.
 */
async function embedWithCache(dataDir: string, embedding: EmbeddingChoice, texts: string[], progress?: BuildProgress): Promise<number[][]> {
  const dir = join(dataDir, 'embedding-cache');
  const path = join(dir, `${createHash('sha256').update(embedding.id).digest('hex').slice(0, 16)}.json`);
  let stored: Record<string, string> = {};
  try {
    const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (json && typeof json === 'object' && !Array.isArray(json)) stored = json as Record<string, string>;
  } catch {
    // No cache yet, or an unreadable one: embed everything.
  }
  const keys = texts.map((t) => createHash('sha256').update(t).digest('base64url'));
  const decode = (b64: string) => Array.from(new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));
  const missing = [...new Set(keys.map((k, i) => (typeof stored[k] === 'string' ? -1 : i)).filter((i) => i >= 0).map((i) => texts[i]!))];
  const fresh = await embedInBatches(embedding.external!, missing, (n) => progress?.({ phase: 'embed', done: n, total: missing.length }));
  const freshByText = new Map(missing.map((t, i) => [t, fresh[i]!]));
  const next: Record<string, string> = {};
  const vectors = keys.map((k, i) => {
    const vector = freshByText.get(texts[i]!) ?? decode(stored[k]!);
    next[k] = Buffer.from(new Float32Array(vector).buffer).toString('base64');
    return vector;
  });
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${path}.tmp-${process.pid}`, JSON.stringify(next));
  renameSync(`${path}.tmp-${process.pid}`, path);
  return vectors;
}

function removeStaleIndexes(root: string, keep: string): void {
  for (const name of readdirSync(root)) {
    if (name !== keep && !name.includes('.tmp-')) rmSync(join(root, name), { recursive: true, force: true });
  }
}

const TenantFileSchema = {
  parse(json: unknown): { clauses: Clause[]; bm25: Bm25Data; dimensions: number } {
    const value = json as { clauses?: unknown; bm25?: unknown; dimensions?: unknown };
    if (!Array.isArray(value.clauses) || typeof value.bm25 !== 'object' || typeof value.dimensions !== 'number') {
      throw new Error('malformed tenant index file');
    }
    return value as { clauses: Clause[]; bm25: Bm25Data; dimensions: number };
  },
};

export function loadIndex(kb: KnowledgeBase, lexicon: Lexicon, dataDir: string, embedding: EmbeddingChoice, fromDir?: string): LoadedIndex {
  const dir = fromDir ?? join(dataDir, 'index', indexHash(kb, lexicon, embedding));
  const hash = basename(dir);
  try {
    const embedder: QueryEmbedder = embedding.external
      ? embedding.external
      : new CorpusEmbeddings(JSON.parse(readFileSync(join(dir, 'embeddings.json'), 'utf8')) as CorpusEmbeddingsModel);
    const policyLanguage = new Map(kb.policies.map((p) => [p.id, p.language]));
    const tenants = new Map<string, TenantIndex>();
    for (const tenant of kb.tenants) {
      // An older index (serving while the new one builds) may not have a tenant added since.
      if (fromDir && !existsSync(join(dir, `${tenant.id}.json`))) continue;
      tenants.set(tenant.id, readTenant(dir, tenant.id, policyLanguage));
    }
    return { hash, dir, tenants, embedder };
  } catch (cause) {
    throw new BotError('index_failed', `The index in ${dir} cannot be read; run \`privacy-bot ingest\` to rebuild it.`, { cause });
  }
}
