import type { Command } from './command.js';
import { help } from './help.js';
import { simulate } from './simulate.js';

export const commands: readonly Command[] = [help, simulate];

export function findCommand(text: string): { command: Command; args: string } | null {
  const [word = '', ...rest] = text.trim().replace(/^\//, '').split(/\s+/);
  const command = commands.find((c) => c.name === word.toLowerCase());
  return command ? { command, args: rest.join(' ') } : null;
}
