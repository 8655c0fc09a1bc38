import { formatCaseRef, parseCaseRef, type Case } from '../../core/case.js';
import { cleanReason } from '../../core/decision-reason.js';
import { resolveDemoPerson, resolveDemoRemoval } from '../../workflows/demo-tenant.js';
import { chatTime } from '../teams-time.js';
import type { Command, CommandContext } from './command.js';

const CLICK =
  /^(approve|restore|confirm-restore|cancel-restore)\s+(\S+)\s+as\s+(.+?)(?:\s*:\s*(.*))?$/i;

function summary(c: Case): string {
  const by = c.decision?.by.name;
  switch (c.status) {
    case 'open':
      return 'open';
    case 'restore-requested':
      return `restore requested by ${c.restoreRequest?.by.name}, waiting for a second approver`;
    case 'approval-requested':
      return `approval requested by ${c.restoreRequest?.by.name}, waiting for a second approver`;
    case 'restoring':
      return `restore by ${by} in progress`;
    case 'restored':
      return `restored by ${by}`;
    case 'approved':
      return `removal approved by ${by}`;
  }
}

/**
 * The Agents Playground has one fixed user, so a second approver clicks through this instead,
 * with that person's identity from the simulated tenant and the same checks as a real click.
 */
async function clickAs(
  ctx: CommandContext,
  verb: string,
  caseText: string,
  personText: string,
  reasonText: string | undefined,
): Promise<string> {
  const tenant = ctx.demoTenant;
  if (!tenant) return 'The simulated tenant is not running.';
  const caseId = parseCaseRef(caseText);
  const current = caseId === null ? null : await ctx.store.getCase(caseId);
  if (!current) return `No case ${caseText}.`;
  const person = resolveDemoPerson(await tenant.listUsers(), personText);
  if (!person) return `Nobody called "${personText}" in the simulated tenant.`;
  const reason = cleanReason(reasonText);
  if (!reason.ok) return reason.problem;
  const action = ctx.cardActions.get(verb.toLowerCase());
  if (!action) return `Usage: \`${simulate.usage}\``;
  const result = await action.handle({
    caseId: current.id,
    version: current.version,
    approver: { id: person.id, name: person.displayName },
    reason: reason.reason,
  });
  const notice = result.notice(chatTime);
  const outcome = notice ? ` ${notice}` : '';
  return `${person.displayName} clicked ${verb.toLowerCase()} on ${formatCaseRef(current.id)}.${outcome} ${formatCaseRef(current.id)} is ${summary(result.case)}.`;
}

export const simulate: Command = {
  name: 'simulate',
  usage: 'simulate remove MEMBER from GROUP',
  description:
    'Demo only: an admin of the simulated tenant removes a member; alone, lists groups and members. ' +
    '`simulate VERB GG-N as PERSON: REASON` clicks a card button as another person ' +
    '(the Playground has only one user), e.g. `simulate confirm-restore GG-2 as Megan Bowen: on call tonight`.',
  demoOnly: true,
  async run(ctx, args) {
    const tenant = ctx.demoTenant;
    if (!tenant) return 'The simulated tenant is not running.';
    const click = CLICK.exec(args.trim());
    if (click) {
      // Acting as someone else is for the single-user Playground only, never behind real Teams.
      if (ctx.mode !== 'demo') return 'Clicking as someone else works only in the demo.';
      return clickAs(ctx, click[1] ?? '', click[2] ?? '', click[3] ?? '', click[4]);
    }
    const groups = await tenant.listGroups();
    if (args.trim() === '') {
      return [
        'Seeded groups of the simulated tenant (try `simulate remove Adele Vance from MFA Required`):',
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
