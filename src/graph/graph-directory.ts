import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import type { GroupProfile } from '../core/case.js';
import type { MemberDelta } from '../core/membership-diff.js';
import {
  DeltaTokenExpiredError,
  SubscriptionGoneError,
  type Directory,
  type GroupDeltaPage,
} from '../workflows/ports.js';

interface DeltaResponse {
  value?: Array<{ id?: string; 'members@delta'?: Array<{ id?: string; '@removed'?: unknown }> }>;
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

const EXPIRED_DELTA_CODES = new Set(['syncStateNotFound', 'resyncRequired', 'syncStateInvalid']);

export function isAlreadyMemberError(error: unknown): boolean {
  return (
    error instanceof GraphError &&
    error.statusCode === 400 &&
    /added object references already exist/i.test(error.message)
  );
}

/** Microsoft Graph (or the simulator, which speaks the same wire format) as GroupGuard's Directory. */
export function createGraphDirectory(client: Client): Directory {
  return {
    async getGroupProfile(groupId) {
      const group = await client
        .api(`/groups/${encodeURIComponent(groupId)}`)
        .select(
          'id,displayName,groupTypes,isAssignableToRole,onPremisesSyncEnabled,mailEnabled,securityEnabled',
        )
        .get();
      return {
        id: String(group.id),
        displayName: String(group.displayName ?? groupId),
        isAssignableToRole: group.isAssignableToRole === true,
        isDynamic:
          Array.isArray(group.groupTypes) && group.groupTypes.includes('DynamicMembership'),
        isOnPremisesSynced: group.onPremisesSyncEnabled === true,
        isMailEnabled: group.mailEnabled === true,
      } satisfies GroupProfile;
    },

    async readGroupDelta(groupId, deltaLink): Promise<GroupDeltaPage> {
      let url =
        deltaLink ??
        `/groups/delta?$select=displayName,members&$filter=id eq '${groupId.replace(/'/g, "''")}'`;
      const deltas: MemberDelta[] = [];
      for (;;) {
        let page: DeltaResponse;
        try {
          page = (await client.api(url).get()) as DeltaResponse;
        } catch (error) {
          if (
            error instanceof GraphError &&
            (error.statusCode === 410 || EXPIRED_DELTA_CODES.has(error.code ?? ''))
          ) {
            throw new DeltaTokenExpiredError(
              `delta token expired (${error.statusCode} ${error.code})`,
            );
          }
          throw error;
        }
        for (const group of page.value ?? []) {
          if (group.id !== groupId) continue;
          for (const member of group['members@delta'] ?? []) {
            if (typeof member.id === 'string')
              deltas.push({ id: member.id, removed: '@removed' in member });
          }
        }
        if (page['@odata.deltaLink']) {
          return { deltas, deltaLink: page['@odata.deltaLink'], fullSync: deltaLink === null };
        }
        if (!page['@odata.nextLink'])
          throw new Error('groups delta page has neither nextLink nor deltaLink');
        url = page['@odata.nextLink'];
      }
    },

    async getDisplayName(objectId) {
      try {
        const object = await client
          .api(`/directoryObjects/${encodeURIComponent(objectId)}`)
          .select('id,displayName')
          .get();
        return String(object.displayName ?? objectId);
      } catch (error) {
        if (error instanceof GraphError && error.statusCode === 404) return objectId;
        throw error;
      }
    },

    async addGroupMember(groupId, memberId) {
      try {
        await client.api(`/groups/${encodeURIComponent(groupId)}/members/$ref`).post({
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${memberId}`,
        });
      } catch (error) {
        // A retried POST, or someone faster than us, already put the member back.
        if (isAlreadyMemberError(error)) return;
        throw error;
      }
    },

    async listSubscriptions() {
      const subscriptions = [];
      let url: string | undefined = '/subscriptions';
      while (url) {
        const page: { value?: Array<Record<string, string>>; '@odata.nextLink'?: string } =
          await client.api(url).get();
        for (const s of page.value ?? []) {
          subscriptions.push({
            id: String(s.id),
            resource: String(s.resource),
            expirationDateTime: String(s.expirationDateTime),
            notificationUrl: String(s.notificationUrl),
          });
        }
        url = page['@odata.nextLink'];
      }
      return subscriptions;
    },

    async createSubscription(input) {
      const created = await client.api('/subscriptions').post({ changeType: 'updated', ...input });
      return { id: String(created.id), expirationDateTime: String(created.expirationDateTime) };
    },

    async renewSubscription(id, expirationDateTime) {
      try {
        const renewed = await client
          .api(`/subscriptions/${encodeURIComponent(id)}`)
          .patch({ expirationDateTime });
        return { expirationDateTime: String(renewed.expirationDateTime) };
      } catch (error) {
        if (error instanceof GraphError && error.statusCode === 404)
          throw new SubscriptionGoneError(id);
        throw error;
      }
    },

    async reauthorizeSubscription(id) {
      try {
        await client.api(`/subscriptions/${encodeURIComponent(id)}/reauthorize`).post({});
      } catch (error) {
        if (error instanceof GraphError && error.statusCode === 404)
          throw new SubscriptionGoneError(id);
        throw error;
      }
    },
  };
}
