// `privacy-bot` command line. The JSON shapes printed here are a contract other tools rely
// on (see README): change them only together with the README.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import { cutCodePoints } from '../knowledge/text.ts';
import { loadConfig } from '../config.ts';
import { BotError, isBotError } from '../errors.ts';
import { parsePolicy } from '../knowledge/parser.ts';
import { PolicyAssistant } from '../policy-assistant.ts';
import { RUNNING_BUILD } from '../project-root.ts';
import type { BuildProgress } from '../retrieval/index-store.ts';
import { openBot, type Bot } from '../bot.ts';
import { classifyIntent } from '../conversation/interpret/index.ts';
import { createLogger } from '../logger.ts';
import { chatBatch, chatInteractive, citationJson } from './chat.ts';
import { registerTicketCommands } from './tickets.ts';
import { registerPolicyCommands } from './policy.ts';
import { registerHandoffCommands } from './handoffs.ts';
import { registerAgentCommands } from './agents.ts';

/** Exit codes: 0 success, 1 unexpected failure, 2 bad input (unknown tenant, empty question, ...). */
const EXIT_BAD_INPUT = 2;

const BatchLineSchema = z.object({
  id: z.union([z.string(), z.number()]),
  tenant: z.string().min(1),
  question: z.string(),
});

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError('must be a whole number from 1 to 100');
  return n;
}

function progressBar(): BuildProgress | undefined {
  if (!process.stderr.isTTY) return undefined;
  const bar = new cliProgress.SingleBar(
    { format: 'indexing {phase} [{bar}] {value}/{total}', stream: process.stderr, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let phase = '';
  return (step) => {
    if (step.phase !== phase) {
      if (phase !== '') bar.stop();
      phase = step.phase;
      bar.start(step.total, 0, { phase });
    }
    bar.update(step.done, { phase });
    if (step.done >= step.total) bar.stop();
  };
}

async function openAssistant(rebuild = false): Promise<PolicyAssistant> {
  return PolicyAssistant.open(loadConfig(), { rebuild, progress: progressBar() });
}

/** The whole bot (store, engine); logs go to stderr, and only warnings in the terminal commands. */
async function openTerminalBot(): Promise<Bot> {
  const config = loadConfig();
  // The terminal is for the conversation: routine info lines stay out unless debugging.
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  return openBot(config, createLogger(level), { progress: progressBar() });
}

async function* stdinLines(): AsyncGenerator<string> {
  const rl = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of rl) if (line.trim() !== '') yield line;
}

function errorJson(error: unknown): { code: string; message: string } {
  if (isBotError(error)) return { code: error.code, message: error.message };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** Runs one batch: each stdin line in, one JSON line out, errors reported per line. */
async function runBatch(handle: (tenant: string, question: string) => Promise<Record<string, unknown>>): Promise<void> {
  for await (const line of stdinLines()) {
    let id: unknown = null;
    try {
      const json: unknown = JSON.parse(line);
      id = (json as { id?: unknown })?.id ?? null;
      const parsed = BatchLineSchema.safeParse(json);
      if (!parsed.success) throw new BotError('invalid_input', `each line needs {"id","tenant","question"}: ${parsed.error.issues[0]?.message ?? ''}`);
      process.stdout.write(`${JSON.stringify({ id: parsed.data.id, ...(await handle(parsed.data.tenant, parsed.data.question)) })}\n`);
    } catch (error) {
      const e = error instanceof SyntaxError ? new BotError('invalid_input', 'line is not valid JSON') : error;
      process.stdout.write(`${JSON.stringify({ id, error: errorJson(e) })}\n`);
    }
  }
}

export function buildProgram(): Command {
  const program = new Command('privacy-bot')
    .description('Answers questions about privacy policies, clause by clause, with citations.')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('search')
    .description("rank a tenant's policy clauses for a question")
    .argument('[question]', 'the question (omit with --jsonl)')
    .option('--tenant <tenant>', 'tenant id, e.g. giantkone')
    .option('--k <n>', 'how many clauses', positiveInt, 5)
    .option('--json', 'print a JSON array')
    .option('--jsonl', 'read {"id","tenant","question"} lines from stdin, write one JSON line each')
    .action(async (question: string | undefined, opts: { tenant?: string; k: number; json?: boolean; jsonl?: boolean }) => {
      const assistant = await openAssistant();
      if (opts.jsonl) return runBatch(async (tenant, q) => ({ results: await assistant.search(tenant, q, opts.k) }));
      const hits = await assistant.search(requireTenant(opts.tenant), question ?? '', opts.k);
      if (opts.json) console.log(JSON.stringify(hits, null, 2));
      else for (const h of hits) console.log(`${h.score.toFixed(3)}  ${h.policyId} ${h.number || '-'} ${h.title}\n       ${cutCodePoints(h.text.replace(/\n/g, ' '), 120)}`);
    });

  program
    .command('ask')
    .description('answer a question from the tenant’s policies, with citations')
    .argument('[question]', 'the question (omit with --jsonl)')
    .option('--tenant <tenant>', 'tenant id, e.g. giantkone')
    .option('--json', 'print {intent, answerable, answer, citations}')
    .option('--jsonl', 'read {"id","tenant","question"} lines from stdin, write one JSON line each')
    .action(async (question: string | undefined, opts: { tenant?: string; json?: boolean; jsonl?: boolean }) => {
      const assistant = await openAssistant();
      const askJson = async (tenant: string, q: string) => {
        const a = await assistant.ask(tenant, q);
        return { intent: classifyIntent(q).intent, answerable: a.answerable, answer: a.answer, citations: a.citations.map(citationJson), ...(a.confidence ? { confidence: a.confidence } : {}), ...(a.model ? { model: a.model } : {}) };
      };
      if (opts.jsonl) return runBatch(askJson);
      const tenant = requireTenant(opts.tenant);
      if (opts.json) console.log(JSON.stringify(await askJson(tenant, question ?? ''), null, 2));
      else console.log((await assistant.ask(tenant, question ?? '')).answer);
    });

  program
    .command('parse')
    .description('print the clauses the parser finds in a policy file')
    .argument('<file>', 'a policy text file')
    .option('--json', 'print the clause list as JSON')
    .action((file: string, opts: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new BotError('invalid_input', `cannot read ${file}`);
      }
      const policyId = file.replace(/^.*\//, '').replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
      const clauses = parsePolicy(text, { policyId }).map((c) => ({ path: file, ...c }));
      if (opts.json) console.log(JSON.stringify(clauses, null, 2));
      else for (const c of clauses) console.log(`${String(c.lineStart).padStart(5)}-${String(c.lineEnd).padEnd(5)} ${c.kind.padEnd(10)} ${c.headingPath.join(' › ') || '(preamble)'}`);
    });

  program
    .command('ingest')
    .description('build the search index for the knowledge directory')
    .option('--force', 'rebuild every tenant and refit the embedding (default: only what changed)')
    .action(async (opts: { force?: boolean }) => {
      const started = performance.now();
      const assistant = await openAssistant(opts.force ?? false);
      const clauses = [...assistant.index.tenants.values()].reduce((n, t) => n + t.clauses.length, 0);
      console.error(`indexed ${clauses} clauses of ${assistant.kb.policies.length} policies in ${Math.round(performance.now() - started)} ms -> ${assistant.index.dir}`);
    });

  const chat = async (opts: { tenant?: string; user: string; jsonl?: boolean }) => {
    const bot = await openTerminalBot();
    const stopRetention = bot.engine.startRetention();
    try {
      if (opts.jsonl) await chatBatch(bot, requireTenant(opts.tenant));
      else await chatInteractive(bot, opts.tenant, opts.user);
    } finally {
      stopRetention();
      await bot.close();
    }
  };

  program
    .command('chat')
    .description('talk to the bot in the terminal: questions, rights requests, tickets')
    .option('--tenant <tenant>', 'tenant id, e.g. giantkone (asked for when omitted)')
    .option('--user <user>', 'who you are to the bot (a pseudonymous reference)', 'local-user')
    .option('--jsonl', 'read {"user","text","messageId"?} lines from stdin, write one result line each')
    .action(chat);

  const serveCommand = async (opts: { port?: number }) => {
    const { serve } = await import('./serve.ts');
    const running = await serve(loadConfig(), { port: opts.port });
    // performance.now() counts from the start of the process: the time to a healthy server.
    const readyMs = Math.round(performance.now());
    const cpu = process.cpuUsage();
    const cpuMs = Math.round((cpu.user + cpu.system) / 1000);
    console.error(`privacy-bot listening on http://localhost:${running.port}/ (channels: ${running.adapters.map((a) => a.name).join(', ') || 'none'}; ready ${readyMs} ms after start, ${cpuMs} ms CPU${RUNNING_BUILD ? '' : ', TypeScript through tsx: use npm start for the build'})`);
    await new Promise<never>(() => undefined);
  };

  program
    .command('serve')
    .description('the HTTP server: web chat, WeChat, Slack and wechaty channels, /healthz, /metrics')
    .option('--port <port>', 'override PORT', (v) => Number(v))
    .action(serveCommand);

  program
    .command('start')
    .description('same as serve (npm start)')
    .option('--port <port>', 'override PORT', (v) => Number(v))
    .action(serveCommand);

  program
    .command('cluster')
    .description('several server processes on one port (node:cluster), for local trials (npm run cluster -- --instances N)')
    .option('--instances <n>', 'number of server processes (1-100)', positiveInt, 2)
    .option('--port <port>', 'override PORT', (v) => Number(v))
    .action(async (opts: { instances: number; port?: number }) => {
      const { runCluster } = await import('./cluster.ts');
      await runCluster(loadConfig(), opts.instances, { port: opts.port });
    });

  registerTicketCommands(program, openTerminalBot);
  registerPolicyCommands(program, () => loadConfig());
  registerHandoffCommands(program, openTerminalBot);
  registerAgentCommands(program);

  program
    .command('eval')
    .description('score retrieval and answers on the development sets (npm run eval)')
    .option('--questions <file>', 'questions JSONL', '../shared/eval/dev-questions.jsonl')
    .option('--capp <file>', 'questions on new companies\' policies (default: capp-dev-questions.jsonl beside --questions)')
    .option('--capp-tenants <file>', 'their tenants (default: capp-dev-tenants.json beside --capp)')
    .option('--model <file>', 'an answer-or-refuse model other than the shipped one (from train-decide --out)')
    .option('--corpus <dir>', 'policies (.txt) to run the structure check on', '../shared/corpora/capp-130')
    .option('--quiet', 'figures only, without the list of imperfect answers')
    .option('--json', 'print the figures as JSON')
    .option('--llm', 'answer with the model LLM_* configure (verified, offline fallback) and report the share passing verification')
    .action(async (opts: { questions: string; capp?: string; cappTenants?: string; model?: string; corpus: string; quiet?: boolean; json?: boolean; llm?: boolean }) => {
      const { runEval } = await import('../tools/eval.ts');
      await runEval(loadConfig(), opts);
    });

  program
    .command('train-decide')
    .description('rebuild the background statistic and refit the answer-or-refuse model (src/answer/model/)')
    .option('--corpus <dir>', 'background policies (CAPP-130)', '../shared/corpora/capp-130')
    .option('--eval-dir <dir>', 'dev-questions.jsonl, capp-dev-questions.jsonl and capp-dev-tenants.json', '../shared/eval')
    .option('--training <dir>', 'answer-questions.jsonl and capp-tenants.json', 'src/answer/training')
    .option('--steps <n>', 'gradient steps (fewer = stronger early-stopping regularisation)', (v) => Number(v), 300)
    .option('--exclude <sets>', 'leave sets out of the fit: dev, capp-dev, training (comma-separated)', (v) => v.split(','))
    .option('--out <file>', 'write the model here instead of src/answer/model/decide.json')
    .option('--dry-run', 'report the cross-validation without writing the model')
    .action(async (opts: { corpus: string; evalDir: string; training: string; steps: number; exclude?: string[]; out?: string; dryRun?: boolean }) => {
      const { runTrainDecide } = await import('../tools/train-decide.ts');
      await runTrainDecide(loadConfig(), { ...opts, write: !opts.dryRun });
    });

  program
    .command('bench')
    .description('ingest and ask benchmarks (npm run bench)')
    .option('--corpus <dir>', 'extra policies for the scale run', '../shared/corpora/capp-130')
    .option('--quick', 'fewer iterations')
    .action(async (opts: { corpus: string; quick?: boolean }) => {
      const { runBench } = await import('../tools/bench.ts');
      await runBench(opts);
    });

  program
    .command('soak')
    .description('load, redelivery, crash, fuzz and personal-data checks on 127.0.0.1, one table (npm run soak)')
    .option('--quick', 'short versions of every step')
    .option('--database-url <url>', 'PostgreSQL server where a throwaway database is created', 'postgres://postgres@127.0.0.1:5432/test')
    .action(async (opts: { quick?: boolean; databaseUrl: string }) => {
      const { runSoak, printSoakTable } = await import('../tools/soak.ts');
      const rows = await runSoak({ quick: opts.quick, databaseUrl: opts.databaseUrl });
      printSoakTable(rows);
      if (rows.some((r) => r.held === false)) process.exitCode = 1;
    });

  return program;
}

function requireTenant(tenant: string | undefined): string {
  if (!tenant) throw new BotError('unknown_tenant', 'missing --tenant (e.g. --tenant giantkone)');
  return tenant;
}


export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (isBotError(error)) {
      console.error(`privacy-bot: ${error.message}`);
      return ['invalid_input', 'unknown_tenant', 'not_found', 'invalid_transition'].includes(error.code) ? EXIT_BAD_INPUT : 1;
    }
    console.error(error);
    return 1;
  }
}
