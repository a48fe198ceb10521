// `privacy-bot agents add NAME`: creates or updates a support agent's console account in
// AGENTS_FILE. The password is read from stdin (piped) or typed at a prompt without echo.

import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { addAgent } from '../agents/accounts.ts';
import { loadConfig } from '../config.ts';
import { BotError } from '../errors.ts';

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return (Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '').trim();
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // Echo nothing of what is typed.
  (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
    if (s.startsWith('Password')) process.stderr.write(s);
  };
  try {
    return await new Promise<string>((resolve) => rl.question('Password (at least 10 characters): ', (answer) => resolve(answer.trim())));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

export function registerAgentCommands(program: Command): void {
  const agents = program.command('agents').description('support agents of the web console (AGENTS_FILE)');
  agents
    .command('add')
    .description('add an agent, or set a new password; reads the password from stdin or a prompt')
    .argument('<name>', 'the agent name shown to colleagues')
    .action(async (name: string) => {
      const { agentsFile } = loadConfig().agentConsole;
      if (!agentsFile) throw new BotError('invalid_config', 'Set AGENTS_FILE to the JSON file that keeps the agent accounts (it is created if missing).');
      const password = await readPassword();
      const outcome = await addAgent(agentsFile, name, password);
      console.log(`${outcome === 'added' ? 'added' : 'updated'} agent ${name} in ${agentsFile}`);
    });
}
