// `npm run bench`: ingest time, peak memory and `ask` latency for the seed policies and for
// the seeds plus the CAPP-130 corpus, next to a plain character-bigram BM25 baseline timed in
// the same run. Figures only: nothing here fails on a missed goal, it says so in the table.
//
// Each scenario runs in a child process of its own (bench-worker.ts) with its own temporary
// DATA_DIR, so the peak memory of one ingest is not hidden by the other's.

import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_KNOWLEDGE_DIR } from '../knowledge/knowledge-base.ts';
import type { WorkerResult, WorkerSpec } from './bench-worker.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PROJECT_ROOT = resolve(HERE, '../..');
const WORKER = join(HERE, 'bench-worker.ts');

const GOALS = {
  seedsIngestMs: 3_000,
  bigIngestMs: 60_000,
  bigPeakMiB: 1_024,
  askP95Ms: 20,
};

const CAPP_ATTRIBUTION =
  'CAPP-130 corpus (EnlightenedAI/CAPP-130, "CAPP-130: A Corpus of Chinese Application Privacy Policy Summarization and Interpretation", NeurIPS 2023), licensed CC BY 4.0.';

interface Scenario {
  name: string;
  knowledgeDir: string;
  groups: WorkerSpec['groups'];
}

interface ScenarioResult {
  scenario: Scenario;
  result: WorkerResult;
}

export async function runBench(opts: { corpus: string; quick?: boolean }): Promise<void> {
  const asks = opts.quick ? 50 : 200;
  const warmup = opts.quick ? 5 : 20;
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  console.log(`privacy-bot bench: node ${process.version}, ${platform()} ${arch()}, ${cpus().length} x ${cpu}${opts.quick ? ', --quick' : ''}`);
  console.log('embeddings: corpus-lsa (EMBEDDINGS_* are not passed to the workers: the bench times local work only)\n');

  const results: ScenarioResult[] = [];
  results.push(
    await runScenario(
      { name: 'seeds', knowledgeDir: DEFAULT_KNOWLEDGE_DIR, groups: [{ label: 'seeds: all tenants', tenants: null }] },
      { asks, warmup },
    ),
  );

  const corpusDir = resolve(opts.corpus);
  const cappFiles = existsSync(corpusDir) ? readdirSync(corpusDir).filter((f) => /^capp-\d+\.txt$/.test(f)).sort() : [];
  if (cappFiles.length === 0) {
    console.log(`No capp-NNN.txt files in ${corpusDir}: skipping the scale scenario (pass --corpus <dir>).\n`);
  } else {
    console.log(`Using ${cappFiles.length} policies from ${corpusDir}`);
    console.log(`Attribution: ${CAPP_ATTRIBUTION}\n`);
    const knowledgeDir = makeScaleKnowledge(corpusDir, cappFiles);
    try {
      results.push(
        await runScenario(
          {
            name: `seeds + ${cappFiles.length} CAPP`,
            knowledgeDir,
            groups: [
              // The CAPP tenant is where the scale shows: one tenant holding every CAPP policy.
              { label: `scale: capp tenant (${cappFiles.length} policies)`, tenants: ['capp'] },
              { label: 'scale: all tenants', tenants: null },
            ],
          },
          { asks, warmup },
        ),
      );
    } finally {
      rmSync(knowledgeDir, { recursive: true, force: true });
    }
  }

  printTables(results, warmup);

  const { runWebhookBench, printWebhookTable } = await import('./bench-webhook.ts');
  printWebhookTable(await runWebhookBench({ quick: opts.quick }));
}

async function runScenario(scenario: Scenario, counts: { asks: number; warmup: number }): Promise<ScenarioResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'privacy-bot-bench-data-'));
  process.stderr.write(`bench: ${scenario.name}: ingest and ${counts.asks} asks per group ...\n`);
  try {
    const spec: WorkerSpec = { asks: counts.asks, warmup: counts.warmup, groups: scenario.groups };
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, KNOWLEDGE_DIR: scenario.knowledgeDir, LOG_LEVEL: 'silent' };
    // An external embedding API would put network round trips into every figure.
    delete env.EMBEDDINGS_BASE_URL;
    delete env.EMBEDDINGS_MODEL;
    delete env.EMBEDDINGS_API_KEY;
    for (const name of ['LLM_BASE_URL', 'LLM_MODEL', 'LLM_API_KEY', 'LLM_TIMEOUT_MS', 'LLM_TASKS']) delete env[name];
    const result = await runWorker(spec, env);
    return { scenario, result };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function runWorker(spec: WorkerSpec, env: NodeJS.ProcessEnv): Promise<WorkerResult> {
  return new Promise((resolvePromise, reject) => {
    // cwd is the project root so `--import tsx` resolves to the project's own tsx.
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', WORKER, JSON.stringify(spec)], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`bench worker failed (${signal ?? `exit ${code}`})`));
        return;
      }
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolvePromise(JSON.parse(line) as WorkerResult);
      } catch {
        reject(new Error(`bench worker printed no result line: ${stdout.slice(-500)}`));
      }
    });
  });
}

/**
 * A knowledge directory holding the seeds (manifest, policies, lexicon copied from the
 * repository's) plus one tenant "capp" with every CAPP policy, titled by index.tsv.
 */
export function makeScaleKnowledge(corpusDir: string, cappFiles: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'privacy-bot-bench-knowledge-'));
  cpSync(join(DEFAULT_KNOWLEDGE_DIR, 'policies'), join(dir, 'policies'), { recursive: true });
  const lexicon = join(DEFAULT_KNOWLEDGE_DIR, 'lexicon.json');
  if (existsSync(lexicon)) copyFileSync(lexicon, join(dir, 'lexicon.json'));
  cpSync(corpusDir, join(dir, 'capp'), { recursive: true, filter: (src) => src === corpusDir || cappFiles.includes(basename(src)) });

  const titles = new Map<string, string>();
  const indexTsv = join(corpusDir, 'index.tsv');
  if (existsSync(indexTsv)) {
    for (const line of readFileSync(indexTsv, 'utf8').split('\n')) {
      const [file, name] = line.split('\t');
      if (file && name?.trim()) titles.set(file.trim(), name.trim());
    }
  }

  const manifest = JSON.parse(readFileSync(join(DEFAULT_KNOWLEDGE_DIR, 'manifest.json'), 'utf8')) as {
    tenants: unknown[];
    policies: unknown[];
  };
  manifest.tenants.push({ id: 'capp', name: 'CAPP-130', aliases: [] });
  for (const file of cappFiles) {
    manifest.policies.push({
      id: file.replace(/\.txt$/, ''),
      tenant: 'capp',
      file: `capp/${file}`,
      title: titles.get(file) ?? file,
      language: 'zh',
    });
  }
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Output

const mib = (kib: number) => kib / 1024;
const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(2));

/** "ok" or how far over the goal a figure is. */
function verdict(value: number, goal: number, unit: string): string {
  if (value < goal) return `< ${goal} ${unit} ok`;
  const over = value - goal;
  return `< ${goal} ${unit} MISSED by ${over.toFixed(unit === 'ms' && over < 100 ? 2 : 0)} ${unit} (${(value / goal).toFixed(1)}x the goal)`;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Text columns (the first, and the goal verdicts) left-aligned, figures right-aligned.
  const leftAligned = headers.map((h, i) => i === 0 || h.startsWith('goal'));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (leftAligned[i] ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printTables(results: ScenarioResult[], warmup: number): void {
  const missed: string[] = [];

  const ingestRows = results.map(({ scenario, result: r }, i) => {
    const isScale = i > 0;
    const ingestGoal = isScale ? GOALS.bigIngestMs : GOALS.seedsIngestMs;
    const peak = mib(r.maxRssAfterIngestKiB);
    const ingestVerdict = verdict(r.ingestMs, ingestGoal, 'ms');
    const peakVerdict = isScale ? verdict(peak, GOALS.bigPeakMiB, 'MiB') : '-';
    if (ingestVerdict.includes('MISSED')) missed.push(`${scenario.name} ingest: ${ingestVerdict}`);
    if (peakVerdict.includes('MISSED')) missed.push(`${scenario.name} peak memory: ${peakVerdict}`);
    return [
      scenario.name,
      `${r.policies} (${r.files})`,
      String(r.clauses),
      ms(r.ingestMs),
      ingestVerdict,
      peak.toFixed(0),
      peakVerdict,
      mib(r.rssBeforeIngestKiB).toFixed(0),
      mib(r.maxRssKiB).toFixed(0),
    ];
  });
  console.log('Ingest: PolicyAssistant.open({ rebuild: true }) in a fresh process with an empty DATA_DIR');
  console.log(
    table(
      ['scenario', 'policies (files)', 'clauses', 'ingest ms', 'goal', 'peak RSS MiB', 'goal', 'RSS before MiB', 'peak incl. asks MiB'],
      ingestRows,
    ),
  );
  console.log('peak RSS = process.resourceUsage().maxRSS right after ingest; it includes Node, tsx and modules ("RSS before").\n');

  const latencyRows = results.flatMap(({ result: r }) =>
    r.latency.map((l) => {
      const v = verdict(l.ours.p95, GOALS.askP95Ms, 'ms');
      if (v.includes('MISSED')) missed.push(`${l.label} ask p95: ${v}`);
      return [
        l.label,
        String(l.asks),
        ms(l.ours.p50),
        ms(l.ours.p95),
        ms(l.ours.max),
        v,
        ms(l.baseline.p50),
        ms(l.baseline.p95),
        `${(l.ours.p50 / l.baseline.p50).toFixed(1)}x`,
        `${(l.ours.p95 / l.baseline.p95).toFixed(1)}x`,
      ];
    }),
  );
  console.log(`Ask latency (ms): one process per index, questions cycled across the tenants, after ${warmup} untimed warm-up asks`);
  console.log('baseline = character-bigram BM25 over the same clauses (analyse, score, top 8), timed alternately with ask');
  console.log(
    table(
      ['index / tenants asked', 'asks', 'ask p50', 'ask p95', 'ask max', 'goal (p95)', 'bm25 p50', 'bm25 p95', 'ours/bm25 p50', 'ours/bm25 p95'],
      latencyRows,
    ),
  );

  console.log(missed.length === 0 ? '\nAll goals met.' : `\nGoals missed:\n  ${missed.join('\n  ')}`);
}
