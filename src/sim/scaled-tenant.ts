import { randomUUID } from 'node:crypto';
import { seedTenant, type SeedTenant, type SimGroup, type SimUser } from './seed-tenant.js';

/**
 * The seeded tenant plus `groups` ordinary security groups of `membersPerGroup` synthetic users
 * each, for load and chaos runs that need thousands of distinct removals.
 */
export function scaledTenant(options: { groups: number; membersPerGroup: number }): SeedTenant {
  const users: SimUser[] = [];
  const groups: SimGroup[] = [];
  const members: Record<string, string[]> = {};
  for (let g = 0; g < options.groups; g++) {
    const groupId = randomUUID();
    groups.push({
      id: groupId,
      displayName: `Load Group ${g + 1}`,
      description: 'Synthetic group for load runs.',
      groupTypes: [],
      securityEnabled: true,
      mailEnabled: false,
      mailNickname: `LoadGroup${g + 1}`,
      mail: null,
      isAssignableToRole: null,
      membershipRule: null,
      membershipRuleProcessingState: null,
      onPremisesSyncEnabled: null,
      createdDateTime: '2025-01-01T00:00:00Z',
    });
    members[groupId] = [];
    for (let m = 0; m < options.membersPerGroup; m++) {
      const alias = `load-${g + 1}-${m + 1}`;
      const user: SimUser = {
        id: randomUUID(),
        displayName: `Load User ${g + 1}-${m + 1}`,
        userPrincipalName: `${alias}@${seedTenant.domain}`,
        mail: null,
        givenName: 'Load',
        surname: `User ${g + 1}-${m + 1}`,
        jobTitle: null,
        department: 'Load',
        accountEnabled: true,
        isAdmin: false,
      };
      users.push(user);
      members[groupId]?.push(user.id);
    }
  }
  return {
    ...seedTenant,
    users: [...seedTenant.users, ...users],
    groups: [...seedTenant.groups, ...groups],
    members: { ...seedTenant.members, ...members },
  };
}
