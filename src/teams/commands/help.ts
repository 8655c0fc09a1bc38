import type { Command } from './command.js';

export const help: Command = {
  name: 'help',
  usage: 'help',
  description: 'What GroupGuard can do here.',
  async run(ctx) {
    const lines = ctx.commands
      .filter((c) => !c.demoOnly || ctx.mode === 'demo' || ctx.mode === 'simulated-tenant')
      .map((c) => `- \`${c.usage}\`: ${c.description}`);
    return [
      'GroupGuard posts a case here when someone is removed from a watched Entra ID group.',
      'Use **Approve removal** or **Restore member** on the case card, or these commands:',
      ...lines,
    ].join('\n\n');
  },
};
