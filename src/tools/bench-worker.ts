// One benchmark scenario in a process of its own, started by bench.ts. It reads DATA_DIR and
// KNOWLEDGE_DIR from the environment, builds the index from scratch, then times `ask` and the
// bigram-BM25 baseline over that index, and prints its figures as one JSON line on stdout.
//
// A fresh process per scenario is what makes the peak memory figure mean anything: maxRSS is a
// high-water mark for the whole process, so a second ingest in the same process would report
// the larger of the two.

import { loadConfig } from '../config.ts';
import { PolicyAssistant } from '../policy-assistant.ts';
import { Bm25Index } from '../retrieval/bm25.ts';
import { analyze } from '../retrieval/tokenizer.ts';

/** What bench.ts asks for (argv[2], JSON). */
export interface WorkerSpec {
  /** Timed asks per group. */
  asks: number;
  /** Untimed asks first, so JIT compilation and lazy set-up do not land in the percentiles. */
  warmup: number;
  /** Each group cycles the questions across its tenants; null means every tenant in the index. */
  groups: { label: string; tenants: string[] | null }[];
}

export interface LatencyFigures {
  label: string;
  asks: number;
  ours: { p50: number; p95: number; max: number };
  baseline: { p50: number; p95: number; max: number };
}

/** The JSON line printed on stdout. */
export interface WorkerResult {
  policies: number;
  files: number;
  clauses: number;
  tenants: number;
  ingestMs: number;
  /** Resident set size just before ingest: the cost of Node, tsx and the loaded modules. */
  rssBeforeIngestKiB: number;
  /** process.resourceUsage().maxRSS (KiB) right after ingest: the ingest peak. */
  maxRssAfterIngestKiB: number;
  /** process.resourceUsage().maxRSS (KiB) at the very end, after the latency runs. */
  maxRssKiB: number;
  latency: LatencyFigures[];
}

/**
 * Varied questions in both languages: common topics (collection, sharing, deletion, retention,
 * cookies, cross-border, children), everyday wording that relies on the lexicon, and a few
 * off-topic ones so the refusal path is timed too.
 */
export const QUESTIONS: readonly string[] = [
  '你们收集哪些个人信息？',
  '我的个人信息会共享给第三方吗？',
  '怎么注销账号，注销后数据会删掉吗？',
  '个人信息保存多久？',
  '你们使用cookie吗？',
  '会不会把我的数据传到国外？',
  '小孩的信息你们怎么保护？',
  '我怎么撤回同意？',
  '发生数据泄露你们会通知我吗？',
  '个人信息保护负责人的联系方式是什么？',
  '你们会获取我的位置吗？',
  '隐私政策更新了会通知我吗？',
  '我可以导出一份我的个人信息吗？',
  '你们采取了哪些安全措施保护数据？',
  'What personal information do you collect?',
  'Do you share my data with third parties?',
  'How can I delete my account?',
  'How long do you keep my data?',
  'Is my data transferred abroad?',
  'How do I contact you about privacy?',
  '电梯的保修期是多久？',
  'What is the weather like tomorrow?',
];

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  // Nearest-rank: the smallest value with at least p% of the samples at or below it.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

function summarise(samples: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/** The baseline of `npm run eval`: BM25 over character bigrams of each clause's text, nothing else. */
function buildBaseline(assistant: PolicyAssistant): (tenant: string, question: string) => number[] {
  const perTenant = new Map<string, Bm25Index>();
  for (const [tenant, index] of assistant.index.tenants) {
    perTenant.set(tenant, Bm25Index.build(index.clauses.map((c) => analyze(c.text).bigrams)));
  }
  return (tenant, question) => {
    const bm25 = perTenant.get(tenant);
    if (!bm25) throw new Error(`baseline: no tenant ${tenant}`);
    const scores = bm25.score(new Map(analyze(question).bigrams.map((b) => [b, 1])));
    // Ranking is part of a search, so the baseline pays for it as `ask` does (top 8, as ask retrieves).
    return [...scores.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([doc]) => doc);
  };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as WorkerSpec;
  const config = loadConfig(process.env);
  const gc = (globalThis as { gc?: () => void }).gc;

  gc?.();
  const rssBeforeIngestKiB = Math.round(process.memoryUsage.rss() / 1024);
  const started = performance.now();
  const assistant = await PolicyAssistant.open(config, { rebuild: true });
  const ingestMs = performance.now() - started;
  const maxRssAfterIngestKiB = process.resourceUsage().maxRSS;

  const baseline = buildBaseline(assistant);
  const allTenants = assistant.tenantIds();
  const latency: LatencyFigures[] = [];
  // Sinks so the engine cannot drop work whose result is unused.
  let sink = 0;
  for (const group of spec.groups) {
    const tenants = group.tenants ?? allTenants;
    const ours: number[] = [];
    const base: number[] = [];
    gc?.();
    for (let i = 0; i < spec.warmup + spec.asks; i++) {
      // Shift the tenant each pass through the questions, so every question meets every tenant.
      const tenant = tenants[(i + Math.floor(i / QUESTIONS.length)) % tenants.length]!;
      const question = QUESTIONS[i % QUESTIONS.length]!;
      // Alternate who goes first, so neither side always runs on caches the other warmed.
      const runBaseline = () => {
        const t0 = performance.now();
        sink += baseline(tenant, question).length;
        return performance.now() - t0;
      };
      const runOurs = async () => {
        const t0 = performance.now();
        sink += (await assistant.ask(tenant, question)).citations.length;
        return performance.now() - t0;
      };
      let b: number;
      let o: number;
      if (i % 2 === 0) {
        b = runBaseline();
        o = await runOurs();
      } else {
        o = await runOurs();
        b = runBaseline();
      }
      if (i >= spec.warmup) {
        ours.push(o);
        base.push(b);
      }
    }
    latency.push({ label: group.label, asks: ours.length, ours: summarise(ours), baseline: summarise(base) });
  }

  const result: WorkerResult = {
    policies: assistant.kb.policies.length,
    files: new Set(assistant.kb.policies.map((p) => p.file)).size,
    clauses: [...assistant.index.tenants.values()].reduce((n, t) => n + t.clauses.length, 0),
    tenants: allTenants.length,
    ingestMs,
    rssBeforeIngestKiB,
    maxRssAfterIngestKiB,
    maxRssKiB: process.resourceUsage().maxRSS,
    latency,
  };
  if (sink < 0) console.error(sink);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

// Run only as the worker script, not when another module imports QUESTIONS from here.
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) await main();
