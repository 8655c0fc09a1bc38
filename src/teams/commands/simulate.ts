import { resolveDemoRemoval } from '../../workflows/demo-tenant.js';
import type { Command } from './command.js';

export const simulate: Command = {
  name: 'simulate',
  usage: 'simulate remove <member> from <group>',
  description:
    'Demo only: an admin of the simulated tenant removes a member; alone, lists groups and members.',
  demoOnly: true,
  async run(ctx, args) {
    const tenant = ctx.demoTenant;
    if (!tenant) return 'The simulated tenant is not running.';
    const groups = await tenant.listGroups();
    if (args.trim() === '') {
      return [
        'Seeded groups of the simulated tenant (try `simulate remove Adele Vance from Tier 0 Admins`):',
        ...groups.map(
          (g) =>
            `- **${g.displayName}** (${g.kind}): ${g.members.map((m) => m.displayName).join(', ') || 'no members'}`,
        ),
      ].join('\n\n');
    }
    const match = /^remove\s+(.+?)\s+from\s+(.+)$/i.exec(args.trim());
    if (!match) return `Usage: \`${simulate.usage}\``;
    const removal = resolveDemoRemoval(groups, match[1] ?? '', match[2] ?? '');
    if (removal.kind === 'unknown-group') {
      return `No group called "${match[2]}". Groups: ${removal.known.join(', ')}.`;
    }
    if (removal.kind === 'unknown-member') {
      return `"${match[1]}" is not a member of ${removal.group.displayName}. Members: ${
        removal.group.members.map((m) => m.displayName).join(', ') || 'none'
      }.`;
    }
    await tenant.removeMember(removal.group.id, removal.member.id);
    return `${tenant.adminName} removed ${removal.member.displayName} from ${removal.group.displayName}. A case card follows in a moment.`;
  },
};
