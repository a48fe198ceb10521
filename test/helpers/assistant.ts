import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { DEFAULT_KNOWLEDGE_DIR } from '../../src/knowledge/knowledge-base.ts';
import { PolicyAssistant } from '../../src/policy-assistant.ts';

export function tempDir(prefix = 'privacy-bot-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A copy of the bundled knowledge that a test may change. */
export function copyKnowledge(): string {
  const dir = tempDir('privacy-bot-knowledge-');
  cpSync(DEFAULT_KNOWLEDGE_DIR, dir, { recursive: true });
  return dir;
}

export async function openAssistant(env: Record<string, string> = {}): Promise<PolicyAssistant> {
  return PolicyAssistant.open(loadConfig({ DATA_DIR: tempDir(), ...env }));
}
