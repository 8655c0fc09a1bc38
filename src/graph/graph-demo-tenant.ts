import type { Client } from '@microsoft/microsoft-graph-client';
import type { DemoGroup, DemoTenant } from '../workflows/demo-tenant.js';
import { graphItems } from './graph-pages.js';

interface GraphGroup {
  id: string;
  displayName: string;
  groupTypes?: string[];
  isAssignableToRole?: boolean;
  onPremisesSyncEnabled?: boolean;
  mailEnabled?: boolean;
  securityEnabled?: boolean;
}

function kindOf(g: GraphGroup): string {
  if (g.groupTypes?.includes('DynamicMembership')) return 'dynamic';
  if (g.onPremisesSyncEnabled) return 'synced from on-premises';
  if (g.isAssignableToRole) return 'role-assignable';
  if (g.groupTypes?.includes('Unified')) return 'Microsoft 365';
  if (g.mailEnabled && !g.securityEnabled) return 'distribution list';
  if (g.mailEnabled) return 'mail-enabled security';
  return 'security';
}

/** The simulated tenant seen through Graph with a seeded admin's token, as an admin would act. */
export function createGraphDemoTenant(client: Client, adminName: string): DemoTenant {
  return {
    adminName,
    async listGroups(): Promise<DemoGroup[]> {
      const groups = await graphItems<GraphGroup>(
        client,
        '/groups?$select=id,displayName,groupTypes,isAssignableToRole,onPremisesSyncEnabled,mailEnabled,securityEnabled',
      );
      return Promise.all(
        groups.map(async (g) => {
          const members = await graphItems<{ id: string; displayName?: string }>(
            client,
            `/groups/${g.id}/members?$select=id,displayName`,
          );
          return {
            id: g.id,
            displayName: g.displayName,
            kind: kindOf(g),
            members: members.map((m) => ({ id: m.id, displayName: m.displayName ?? m.id })),
          };
        }),
      );
    },
    async listUsers() {
      const users = await graphItems<{ id: string; displayName?: string }>(
        client,
        '/users?$select=id,displayName',
      );
      return users.map((u) => ({ id: u.id, displayName: u.displayName ?? u.id }));
    },
    async removeMember(groupId, memberId) {
      await client.api(`/groups/${groupId}/members/${memberId}/$ref`).delete();
    },
  };
}
