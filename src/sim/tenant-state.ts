import { GraphApiError } from './graph-api-error.js';
import type { SeedTenant, SimApp, SimGroup, SimUser } from './seed-tenant.js';
import type { SeededRandom } from './seeded-random.js';

export type MembershipOp = 'add' | 'remove';

export interface MembershipChange {
  sequence: number;
  groupId: string;
  memberId: string;
  op: MembershipOp;
  at: Date;
}

export type Actor =
  { kind: 'user'; user: SimUser; ipAddress: string | null } | { kind: 'app'; app: SimApp };

export type DirectoryObject = { kind: 'user'; user: SimUser } | { kind: 'group'; group: SimGroup };

interface ModifiedProperty {
  displayName: string;
  oldValue: string | null;
  newValue: string | null;
}

/** Graph's directoryAudit resource. */
export interface DirectoryAuditRecord {
  id: string;
  category: string;
  correlationId: string;
  result: 'success' | 'failure';
  resultReason: string;
  activityDisplayName: string;
  activityDateTime: string;
  loggedByService: string;
  operationType: string;
  initiatedBy: {
    user: {
      id: string;
      displayName: string;
      userPrincipalName: string;
      ipAddress: string | null;
    } | null;
    app: {
      appId: string;
      displayName: string;
      servicePrincipalId: string;
      servicePrincipalName: string | null;
    } | null;
  };
  targetResources: Array<{
    id: string;
    displayName: string | null;
    type: 'User' | 'Group';
    userPrincipalName: string | null;
    groupType: string | null;
    modifiedProperties: ModifiedProperty[];
  }>;
  additionalDetails: Array<{ key: string; value: string }>;
}

/** Why Graph refuses to change this group's membership, if it does. */
export function readOnlyReason(group: SimGroup): GraphApiError | undefined {
  if (group.groupTypes.includes('DynamicMembership')) {
    return GraphApiError.badRequest('Cannot add members to a group with dynamic membership.');
  }
  if (group.onPremisesSyncEnabled === true) {
    return GraphApiError.badRequest(
      'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    );
  }
  if (group.mailEnabled && !group.groupTypes.includes('Unified')) {
    return GraphApiError.badRequest(
      'Cannot Update a mail-enabled security groups and or distribution list.',
    );
  }
  return undefined;
}

/** Everything TenantState holds, as JSON. */
export interface SavedDirectory {
  users: SimUser[];
  groups: SimGroup[];
  members: Record<string, string[]>;
  changes: Array<Omit<MembershipChange, 'at'> & { at: string }>;
  audits: DirectoryAuditRecord[];
}

/** The simulated directory: users, groups, memberships, their change log and the audit log. */
export class TenantState {
  readonly users = new Map<string, SimUser>();
  readonly groups = new Map<string, SimGroup>();
  readonly changes: MembershipChange[] = [];
  readonly audits: DirectoryAuditRecord[] = [];
  private readonly memberships = new Map<string, Set<string>>();
  private readonly listeners: Array<(change: MembershipChange) => void> = [];

  constructor(
    seed: SeedTenant,
    private readonly random: SeededRandom,
  ) {
    for (const user of seed.users) this.users.set(user.id, structuredClone(user));
    for (const group of seed.groups) {
      this.groups.set(group.id, structuredClone(group));
      this.memberships.set(group.id, new Set(seed.members[group.id] ?? []));
    }
  }

  /** The directory as `save()` left it; `tenant` gives what is not saved (id, domain, app). */
  static restore(saved: SavedDirectory, tenant: SeedTenant, random: SeededRandom): TenantState {
    const state = new TenantState({ ...tenant, ...saved }, random);
    state.changes.push(...saved.changes.map((c) => ({ ...c, at: new Date(c.at) })));
    state.audits.push(...saved.audits);
    return state;
  }

  save(): SavedDirectory {
    return structuredClone({
      users: [...this.users.values()],
      groups: [...this.groups.values()],
      members: Object.fromEntries([...this.memberships].map(([id, set]) => [id, [...set]])),
      changes: this.changes.map((c) => ({ ...c, at: c.at.toISOString() })),
      audits: this.audits,
    });
  }

  get position(): number {
    return this.changes.length;
  }

  onChange(listener: (change: MembershipChange) => void): void {
    this.listeners.push(listener);
  }

  findUser(key: string): SimUser | undefined {
    const k = key.trim().toLowerCase();
    const byId = this.users.get(k);
    if (byId) return byId;
    const users = [...this.users.values()];
    return (
      users.find((u) => u.userPrincipalName.toLowerCase() === k) ??
      users.find((u) => u.displayName.toLowerCase() === k) ??
      users.find((u) => u.userPrincipalName.toLowerCase().split('@')[0] === k) ??
      users.find((u) => u.givenName?.toLowerCase() === k)
    );
  }

  findGroup(key: string): SimGroup | undefined {
    const k = key.trim().toLowerCase();
    return (
      this.groups.get(k) ??
      [...this.groups.values()].find(
        (g) => g.displayName.toLowerCase() === k || g.mailNickname.toLowerCase() === k,
      )
    );
  }

  directoryObject(id: string): DirectoryObject | undefined {
    const k = id.toLowerCase();
    const user = this.users.get(k);
    if (user) return { kind: 'user', user };
    const group = this.groups.get(k);
    return group ? { kind: 'group', group } : undefined;
  }

  members(groupId: string): string[] {
    return [...(this.memberships.get(groupId.toLowerCase()) ?? [])];
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.memberships.get(groupId.toLowerCase())?.has(memberId.toLowerCase()) ?? false;
  }

  /** Members of nested groups too; nested groups themselves are included, as Graph does. */
  transitiveMembers(groupId: string): string[] {
    const seen = new Set<string>();
    const visit = (id: string): void => {
      for (const member of this.members(id)) {
        if (seen.has(member)) continue;
        seen.add(member);
        if (this.groups.has(member)) visit(member);
      }
    };
    visit(groupId.toLowerCase());
    return [...seen];
  }

  /** Groups the object belongs to, directly (`transitive` false) or through nesting. */
  memberOf(memberId: string, transitive: boolean): string[] {
    const direct = (id: string): string[] =>
      [...this.memberships].filter(([, set]) => set.has(id)).map(([groupId]) => groupId);
    if (!transitive) return direct(memberId.toLowerCase());
    const seen = new Set<string>();
    const queue = direct(memberId.toLowerCase());
    while (queue.length > 0) {
      const id = queue.shift() as string;
      if (seen.has(id)) continue;
      seen.add(id);
      queue.push(...direct(id));
    }
    return [...seen];
  }

  /** Membership of the group as it was right after change `position`. */
  membersAt(groupId: string, position: number): Set<string> {
    const members = new Set(this.members(groupId));
    for (let i = this.changes.length - 1; i >= position; i--) {
      const change = this.changes[i];
      if (!change || change.groupId !== groupId) continue;
      if (change.op === 'add') members.delete(change.memberId);
      else members.add(change.memberId);
    }
    return members;
  }

  /** Changes after position `from`, up to and including position `to`. */
  changesBetween(from: number, to: number): MembershipChange[] {
    return this.changes.slice(Math.max(0, from), Math.max(0, to));
  }

  /** Applies a change the caller has validated; records the change and its audit record. */
  changeMembership(
    groupId: string,
    memberId: string,
    op: MembershipOp,
    actor: Actor,
  ): MembershipChange {
    const gid = groupId.toLowerCase();
    const mid = memberId.toLowerCase();
    const group = this.groups.get(gid);
    const member = this.directoryObject(mid);
    const set = this.memberships.get(gid);
    if (!group || !member || !set)
      throw new Error(`unknown group ${groupId} or member ${memberId}`);
    if (op === 'add') set.add(mid);
    else set.delete(mid);
    const change: MembershipChange = {
      sequence: this.changes.length + 1,
      groupId: gid,
      memberId: mid,
      op,
      at: new Date(),
    };
    this.changes.push(change);
    this.audits.push(this.auditRecord(change, group, member, actor));
    for (const listener of this.listeners) listener(change);
    return change;
  }

  private auditRecord(
    change: MembershipChange,
    group: SimGroup,
    member: DirectoryObject,
    actor: Actor,
  ): DirectoryAuditRecord {
    const add = change.op === 'add';
    const quoted = (value: string): string => JSON.stringify(value);
    const modified = (displayName: string, value: string): ModifiedProperty => ({
      displayName,
      oldValue: add ? null : quoted(value),
      newValue: add ? quoted(value) : null,
    });
    const memberTarget =
      member.kind === 'user'
        ? {
            id: member.user.id,
            displayName: null,
            type: 'User' as const,
            userPrincipalName: member.user.userPrincipalName,
            groupType: null,
          }
        : {
            id: member.group.id,
            displayName: member.group.displayName,
            type: 'Group' as const,
            userPrincipalName: null,
            groupType: 'azureAD',
          };
    return {
      id: `Directory_${this.random.guid()}`,
      category: 'GroupManagement',
      correlationId: this.random.guid(),
      result: 'success',
      resultReason: '',
      activityDisplayName: add ? 'Add member to group' : 'Remove member from group',
      activityDateTime: change.at.toISOString(),
      loggedByService: 'Core Directory',
      operationType: add ? 'Assign' : 'Unassign',
      initiatedBy:
        actor.kind === 'user'
          ? {
              user: {
                id: actor.user.id,
                displayName: actor.user.displayName,
                userPrincipalName: actor.user.userPrincipalName,
                ipAddress: actor.ipAddress,
              },
              app: null,
            }
          : {
              user: null,
              app: {
                appId: actor.app.clientId,
                displayName: actor.app.displayName,
                servicePrincipalId: actor.app.servicePrincipalId,
                servicePrincipalName: actor.app.displayName,
              },
            },
      targetResources: [
        {
          ...memberTarget,
          modifiedProperties: [
            modified('Group.ObjectID', group.id),
            modified('Group.DisplayName', group.displayName),
          ],
        },
        {
          id: group.id,
          displayName: group.displayName,
          type: 'Group',
          userPrincipalName: null,
          groupType: 'azureAD',
          modifiedProperties: [],
        },
      ],
      additionalDetails: [],
    };
  }
}
