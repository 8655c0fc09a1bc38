import { GraphApiError } from './graph-api-error.js';
import type { SimGroup, SimUser } from './seed-tenant.js';
import type { DirectoryObject } from './tenant-state.js';

export const GROUP_PROPERTIES = [
  'id',
  'displayName',
  'description',
  'groupTypes',
  'securityEnabled',
  'mailEnabled',
  'mailNickname',
  'mail',
  'isAssignableToRole',
  'membershipRule',
  'membershipRuleProcessingState',
  'onPremisesSyncEnabled',
  'createdDateTime',
  'visibility',
  'proxyAddresses',
  'renewedDateTime',
  'securityIdentifier',
] as const;

/** Graph v1.0 returns only these user properties unless $select asks for more. */
const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
] as const;

export const USER_PROPERTIES = [
  ...USER_DEFAULT_PROPERTIES,
  'accountEnabled',
  'department',
  'userType',
];

function groupValues(group: SimGroup): Record<string, unknown> {
  const { id, ...rest } = group;
  return {
    id,
    deletedDateTime: null,
    ...rest,
    visibility: null,
    proxyAddresses: group.mail ? [`SMTP:${group.mail}`] : [],
    renewedDateTime: group.createdDateTime,
    securityIdentifier: `S-1-12-1-${parseInt(id.slice(-8), 16)}`,
  };
}

function userValues(user: SimUser): Record<string, unknown> {
  return {
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName,
    jobTitle: user.jobTitle,
    mail: user.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: user.surname,
    userPrincipalName: user.userPrincipalName,
    id: user.id,
    accountEnabled: user.accountEnabled,
    department: user.department,
    userType: 'Member',
  };
}

function pick(values: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in values) out[key] = values[key];
  return out;
}

/** `$select` as canonical property names, or null when absent; unknown names are Graph's 400. */
export function parseSelect(
  raw: string | undefined,
  allowed: readonly string[],
  typeName: string,
): string[] | null {
  if (raw === undefined || raw.trim() === '') return null;
  const names: string[] = [];
  for (const part of raw.split(',')) {
    const name = part.trim();
    const canonical = allowed.find((a) => a.toLowerCase() === name.toLowerCase());
    if (!canonical) {
      throw GraphApiError.badRequest(
        `Could not find a property named '${name}' on type '${typeName}'.`,
      );
    }
    if (!names.includes(canonical)) names.push(canonical);
  }
  return names;
}

export function projectGroup(
  group: SimGroup,
  select: readonly string[] | null,
): Record<string, unknown> {
  const values = groupValues(group);
  return select === null ? values : pick(values, ['id', ...select]);
}

export function projectUser(
  user: SimUser,
  select: readonly string[] | null,
): Record<string, unknown> {
  return pick(userValues(user), select === null ? USER_DEFAULT_PROPERTIES : ['id', ...select]);
}

/** A member in a directoryObject collection: typed with `@odata.type`, as Graph does. */
export function projectDirectoryObject(
  object: DirectoryObject,
  select: readonly string[] | null,
): Record<string, unknown> {
  return object.kind === 'user'
    ? { '@odata.type': '#microsoft.graph.user', ...projectUser(object.user, select) }
    : { '@odata.type': '#microsoft.graph.group', ...projectGroup(object.group, select) };
}
