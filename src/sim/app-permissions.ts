import { GraphApiError } from './graph-api-error.js';

/**
 * Application permissions (app roles) as Entra grants them to an app registration and puts in
 * the `roles` claim of its app-only tokens. The default is what GroupGuard needs
 * (docs/live-setup.md).
 */
export const DEFAULT_APP_PERMISSIONS: readonly string[] = [
  'Group.Read.All',
  'GroupMember.ReadWrite.All',
  'AuditLog.Read.All',
  'Directory.Read.All',
];

/** Any one of the sets suffices; every permission of a set is needed. */
export type PermissionRule = readonly (readonly string[])[];

const any = (...names: string[]): PermissionRule => names.map((n) => [n]);

/** The permission tables of Graph's v1.0 reference pages, application column. */
export const PERMISSIONS = {
  /** "List groups", "Get group", "group: delta", "List group members". */
  groupRead: any(
    'GroupMember.Read.All',
    'Group.Read.All',
    'GroupMember.ReadWrite.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ),
  /** "Add members", "Remove member". */
  memberWrite: any('GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'),
  /** "List users", "Get user". */
  userRead: any(
    'User.ReadBasic.All',
    'User.Read.All',
    'User.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ),
  /** "Get directoryObject": Directory.Read.All is the least privileged. */
  directoryRead: any('Directory.Read.All', 'Directory.ReadWrite.All'),
  /** "List directoryAudits": AuditLog.Read.All and Directory.Read.All. */
  auditRead: [['AuditLog.Read.All', 'Directory.Read.All']] as PermissionRule,
  /** "Create subscription" on groups. */
  groupSubscription: any(
    'Group.Read.All',
    'Group.ReadWrite.All',
    'Directory.Read.All',
    'Directory.ReadWrite.All',
  ),
} satisfies Record<string, PermissionRule>;

/**
 * Graph's answer when the token lacks the permission a route needs (observed body, e.g.
 * Microsoft Q&A "insufficient privileges to complete the operation"; the code is listed in
 * Graph's "Microsoft Graph error responses and resource types").
 */
export function requirePermission(roles: ReadonlySet<string>, rule: PermissionRule): void {
  if (rule.some((set) => set.every((permission) => roles.has(permission)))) return;
  throw new GraphApiError(
    403,
    'Authorization_RequestDenied',
    'Insufficient privileges to complete the operation.',
  );
}
