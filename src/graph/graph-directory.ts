import {
  GraphError,
  ResponseType,
  RetryHandlerOptions,
  type Client,
} from '@microsoft/microsoft-graph-client';
import type { Actor, GroupProfile } from '../core/case.js';
import type { MemberDelta } from '../core/membership-diff.js';
import {
  DeltaTokenExpiredError,
  GroupUnavailableError,
  PermissionMissingError,
  RestoreFailedError,
  SubscriptionGoneError,
  type Directory,
  type GroupDeltaPage,
} from '../workflows/ports/index.js';
import { graphPages, type GraphPage } from './graph-pages.js';
import { relativeGraphLink } from './relative-graph-link.js';

interface AuditRecord {
  result?: string;
  initiatedBy?: {
    user?: { id?: string; displayName?: string | null; userPrincipalName?: string | null } | null;
    app?: {
      appId?: string;
      displayName?: string | null;
      servicePrincipalId?: string | null;
    } | null;
  };
  targetResources?: Array<{
    id?: string;
    type?: string;
    modifiedProperties?: Array<{ displayName?: string; oldValue?: string | null }>;
  }>;
}

type DeltaGroup = { id?: string; 'members@delta'?: Array<{ id?: string; '@removed'?: unknown }> };

const EXPIRED_DELTA_CODES = new Set(['syncStateNotFound', 'resyncRequired', 'syncStateInvalid']);
const ALREADY_MEMBER = /added object references already exist/i;
const sameId = (a: unknown, b: string) =>
  typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
const odataString = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** 404: the group is gone; 403: Graph will not show it to this app (permissions, or restricted). */
function groupUnavailable(error: unknown, groupId: string): GroupUnavailableError | null {
  if (!(error instanceof GraphError) || (error.statusCode !== 404 && error.statusCode !== 403)) {
    return null;
  }
  return new GroupUnavailableError(
    groupId,
    error.statusCode === 404 ? 'deleted' : 'forbidden',
    `Graph answered ${error.statusCode} ${error.code ?? ''}`.trim(),
  );
}

/** Graph's 403 for a read the app holds no permission for (Authorization_RequestDenied). */
function permissionMissing(error: unknown, permission: string): PermissionMissingError | null {
  return error instanceof GraphError && error.statusCode === 403
    ? new PermissionMissingError(permission, `Graph answered 403 ${error.code ?? ''}`.trim())
    : null;
}

/** The audit record names the group as a target, or (older layout) in Group.ObjectID. */
function removedFromGroup(record: AuditRecord, groupId: string): boolean {
  return (record.targetResources ?? []).some(
    (target) =>
      (target.type === 'Group' && sameId(target.id, groupId)) ||
      (target.modifiedProperties ?? []).some(
        (p) => p.displayName === 'Group.ObjectID' && sameId(p.oldValue?.replace(/"/g, ''), groupId),
      ),
  );
}

function actorOf(record: AuditRecord): Actor | null {
  const { user, app } = record.initiatedBy ?? {};
  if (user?.id) {
    return {
      kind: 'user',
      id: user.id,
      name: user.displayName || user.userPrincipalName || user.id,
    };
  }
  const appId = app?.servicePrincipalId || app?.appId;
  if (app && appId) return { kind: 'app', id: appId, name: app.displayName || appId };
  return null;
}

/** Microsoft Graph (or the simulator, which speaks the same wire format) as GroupGuard's Directory. */
export function createGraphDirectory(client: Client): Directory {
  return {
    async getGroupProfile(groupId) {
      let group;
      try {
        group = await client
          .api(`/groups/${encodeURIComponent(groupId)}`)
          .select(
            'id,displayName,groupTypes,isAssignableToRole,onPremisesSyncEnabled,mailEnabled,securityEnabled',
          )
          .get();
      } catch (error) {
        throw groupUnavailable(error, groupId) ?? error;
      }
      const types: unknown[] = Array.isArray(group.groupTypes) ? group.groupTypes : [];
      return {
        id: String(group.id),
        displayName: String(group.displayName ?? groupId),
        isAssignableToRole: group.isAssignableToRole === true,
        isDynamic: types.includes('DynamicMembership'),
        isOnPremisesSynced: group.onPremisesSyncEnabled === true,
        isMailEnabled: group.mailEnabled === true,
        isMicrosoft365: types.includes('Unified'),
      } satisfies GroupProfile;
    },

    async readGroupDelta(groupId, deltaLink): Promise<GroupDeltaPage> {
      const first = deltaLink
        ? relativeGraphLink(deltaLink)
        : `/groups/delta?$select=displayName,members&$filter=id eq '${groupId.replace(/'/g, "''")}'`;
      const deltas: MemberDelta[] = [];
      let last: GraphPage<DeltaGroup> | undefined;
      try {
        for await (const page of graphPages<DeltaGroup>(client, first)) {
          for (const group of page.value ?? []) {
            if (group.id?.toLowerCase() !== groupId.toLowerCase()) continue;
            for (const member of group['members@delta'] ?? []) {
              if (typeof member.id === 'string')
                deltas.push({ id: member.id, removed: '@removed' in member });
            }
          }
          last = page;
        }
      } catch (error) {
        if (
          error instanceof GraphError &&
          (error.statusCode === 410 || EXPIRED_DELTA_CODES.has(error.code ?? ''))
        ) {
          throw new DeltaTokenExpiredError(
            `delta token expired (${error.statusCode} ${error.code})`,
          );
        }
        throw groupUnavailable(error, groupId) ?? error;
      }
      const link = last?.['@odata.deltaLink'];
      if (!link) throw new Error('groups delta ended without a deltaLink');
      return { deltas, deltaLink: relativeGraphLink(link), fullSync: deltaLink === null };
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
        throw permissionMissing(error, 'Directory.Read.All') ?? error;
      }
    },

    async addGroupMember(groupId, memberId) {
      // RAW keeps the response headers: Graph's request-id goes into the decision log.
      const response: Response = await client
        .api(`/groups/${encodeURIComponent(groupId)}/members/$ref`)
        .responseType(ResponseType.RAW)
        .post({
          '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${encodeURIComponent(memberId)}`,
        });
      const requestId = response.headers.get('request-id');
      if (response.ok) return { requestId };
      const body = (await response.json().catch(() => null)) as {
        error?: { code?: string; message?: string };
      } | null;
      const message = body?.error?.message ?? response.statusText;
      // A retried POST, or someone faster than us, already put the member back.
      if (response.status === 400 && ALREADY_MEMBER.test(message)) return { requestId };
      throw new RestoreFailedError(
        `Graph answered ${response.status} ${body?.error?.code ?? ''}: ${message}`.replace(
          / +:/,
          ':',
        ),
        requestId,
        response.status,
      );
    },

    async checkMemberGroups(objectId, groupIds) {
      try {
        // directoryObject: checkMemberGroups answers for users and for groups (nesting), transitively.
        const result: { value?: unknown[] } = await client
          .api(`/directoryObjects/${encodeURIComponent(objectId)}/checkMemberGroups`)
          .post({ groupIds });
        return (result.value ?? []).filter((id): id is string => typeof id === 'string');
      } catch (error) {
        // Not a user of this tenant (a guest from elsewhere, a deleted account): not an approver.
        if (error instanceof GraphError && error.statusCode === 404) return [];
        throw error;
      }
    },

    async findRemovalActor({ groupId, memberId, notBefore, notAfter }) {
      let page: { value?: AuditRecord[] };
      try {
        page = await client
          .api('/auditLogs/directoryAudits')
          // Best effort: a throttled lookup must not hold up a case or a click; the next one asks again.
          .middlewareOptions([new RetryHandlerOptions(0, 0)])
          .filter(
            `activityDisplayName eq 'Remove member from group' and activityDateTime ge ${notBefore}` +
              ` and activityDateTime le ${notAfter} and targetResources/any(t:t/id eq ${odataString(memberId)})`,
          )
          .orderby('activityDateTime desc')
          .top(50)
          .get();
      } catch (error) {
        throw permissionMissing(error, 'AuditLog.Read.All') ?? error;
      }
      for (const record of page.value ?? []) {
        if (record.result && record.result !== 'success') continue;
        if (removedFromGroup(record, groupId)) return actorOf(record);
      }
      return null;
    },

    async listSubscriptions() {
      const subscriptions = [];
      for await (const page of graphPages<Record<string, string>>(client, '/subscriptions')) {
        for (const s of page.value ?? []) {
          subscriptions.push({
            id: String(s.id),
            resource: String(s.resource),
            expirationDateTime: String(s.expirationDateTime),
            notificationUrl: String(s.notificationUrl),
          });
        }
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

    async deleteSubscription(id) {
      try {
        await client.api(`/subscriptions/${encodeURIComponent(id)}`).delete();
      } catch (error) {
        if (!(error instanceof GraphError && error.statusCode === 404)) throw error;
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
