/** A user as Graph v1.0 describes it, plus the simulator-only `isAdmin` flag. */
export interface SimUser {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail: string | null;
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  accountEnabled: boolean;
  /** Not a Graph property: a Global Administrator who may sign in with the ROPC grant. */
  isAdmin: boolean;
}

/** A group as Graph v1.0 describes it (`null` where Graph returns null for cloud-only groups). */
export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  groupTypes: string[];
  securityEnabled: boolean;
  mailEnabled: boolean;
  mailNickname: string;
  mail: string | null;
  isAssignableToRole: boolean | null;
  membershipRule: string | null;
  membershipRuleProcessingState: 'On' | 'Paused' | null;
  onPremisesSyncEnabled: boolean | null;
  createdDateTime: string;
}

/** The bot's app registration in the simulated tenant (the secret is generated per instance). */
export interface SimApp {
  clientId: string;
  servicePrincipalId: string;
  displayName: string;
}

export interface SeedTenant {
  tenantId: string;
  domain: string;
  app: SimApp;
  users: readonly SimUser[];
  groups: readonly SimGroup[];
  /** Initial members of each group, by group id (user ids). */
  members: Readonly<Record<string, readonly string[]>>;
}

/** Stable ids of the seeded tenant, so callers never hardcode GUIDs. */
export interface SeedIds {
  tenantId: string;
  domain: string;
  app: { clientId: string; servicePrincipalId: string };
  users: {
    /** The Agents Playground's current user; an approver. */
    alex: string;
    /** Approver. */
    megan: string;
    adele: string;
    /** Not an approver. */
    isaiah: string;
    patti: string;
    lynne: string;
    /** Global Administrator: the admin the demo acts as when it removes someone. */
    diego: string;
    grady: string;
    johanna: string;
    lee: string;
    miriam: string;
    nestor: string;
    breakGlass: string;
  };
  groups: {
    finance: string;
    /** Role-assignable. */
    tier0: string;
    mfaRequired: string;
    /** Dynamic membership: cannot be restored through Graph. */
    salesDynamic: string;
    /** On-premises synced: cannot be restored through Graph. */
    hrSynced: string;
    /** Distribution list: cannot be restored through Graph. */
    marketingDl: string;
    /** Alex Wilber and Megan Bowen. */
    secOpsApprovers: string;
    /** Microsoft 365 group: mail-enabled, yet restorable through Graph. */
    projectFalcon: string;
  };
}

const userId = (n: number): string => `00000000-0000-4000-8000-0000000000${n}`;
const groupId = (n: number): string =>
  `00000000-0000-4000-9000-0000000000${String(n).padStart(2, '0')}`;

export const SEED: SeedIds = {
  tenantId: '4a6f6e61-0000-4000-8000-00000000a001',
  domain: 'groupguard.demo',
  app: {
    clientId: '4a6f6e61-0000-4000-8000-00000000a002',
    servicePrincipalId: '4a6f6e61-0000-4000-8000-00000000a003',
  },
  users: {
    alex: userId(20),
    megan: userId(21),
    adele: userId(22),
    isaiah: userId(23),
    patti: userId(24),
    lynne: userId(25),
    diego: userId(30),
    grady: userId(31),
    johanna: userId(32),
    lee: userId(33),
    miriam: userId(34),
    nestor: userId(35),
    breakGlass: userId(39),
  },
  groups: {
    finance: groupId(1),
    tier0: groupId(2),
    mfaRequired: groupId(3),
    salesDynamic: groupId(4),
    hrSynced: groupId(5),
    marketingDl: groupId(6),
    secOpsApprovers: groupId(7),
    projectFalcon: groupId(8),
  },
};

function user(
  id: string,
  displayName: string,
  alias: string,
  jobTitle: string | null,
  department: string | null,
  isAdmin = false,
): SimUser {
  const [givenName, ...rest] = displayName.split(' ');
  const upn = `${alias}@${SEED.domain}`;
  return {
    id,
    displayName,
    userPrincipalName: upn,
    mail: upn,
    givenName: givenName ?? null,
    surname: rest.length > 0 ? rest.join(' ') : null,
    jobTitle,
    department,
    accountEnabled: true,
    isAdmin,
  };
}

const u = SEED.users;
const g = SEED.groups;

const users: SimUser[] = [
  user(u.alex, 'Alex Wilber', 'alexw', 'Security Operations Lead', 'Security'),
  user(u.megan, 'Megan Bowen', 'meganb', 'Security Analyst', 'Security'),
  user(u.adele, 'Adele Vance', 'adelev', 'Identity Administrator', 'IT'),
  user(u.isaiah, 'Isaiah Langer', 'isaiahl', 'Sales Representative', 'Sales'),
  user(u.patti, 'Patti Fernandez', 'pattif', 'Finance Director', 'Finance'),
  user(u.lynne, 'Lynne Robbins', 'lynner', 'HR Manager', 'HR'),
  user(u.diego, 'Diego Siciliani', 'diegos', 'IT Director', 'IT', true),
  user(u.grady, 'Grady Archie', 'gradya', 'Sales Engineer', 'Sales'),
  user(u.johanna, 'Johanna Lorenz', 'johannal', 'Financial Analyst', 'Finance'),
  user(u.lee, 'Lee Gu', 'leeg', 'Accountant', 'Finance'),
  user(u.miriam, 'Miriam Graham', 'miriamg', 'Marketing Director', 'Marketing'),
  user(u.nestor, 'Nestor Wilke', 'nestorw', 'Sales Manager', 'Sales'),
  {
    ...user(u.breakGlass, 'Break Glass Admin', 'bg-admin', null, null, true),
    givenName: null,
    surname: null,
    mail: null,
  },
];

const cloudGroup = {
  description: null,
  groupTypes: [],
  securityEnabled: true,
  mailEnabled: false,
  mail: null,
  isAssignableToRole: null,
  membershipRule: null,
  membershipRuleProcessingState: null,
  onPremisesSyncEnabled: null,
} satisfies Partial<SimGroup>;

const groups: SimGroup[] = [
  {
    ...cloudGroup,
    id: g.finance,
    displayName: 'Finance Team',
    description: 'Finance department: access to the finance share and ERP.',
    mailNickname: 'FinanceTeam',
    createdDateTime: '2024-03-04T09:12:44Z',
  },
  {
    ...cloudGroup,
    id: g.tier0,
    displayName: 'Tier 0 Admins',
    description: 'Role-assignable: holds the Global Administrator role.',
    mailNickname: 'Tier0Admins',
    isAssignableToRole: true,
    createdDateTime: '2024-01-15T08:00:00Z',
  },
  {
    ...cloudGroup,
    id: g.mfaRequired,
    displayName: 'MFA Required',
    description: 'Targeted by the Conditional Access policy that requires MFA.',
    mailNickname: 'MFARequired',
    createdDateTime: '2024-01-15T08:05:00Z',
  },
  {
    ...cloudGroup,
    id: g.salesDynamic,
    displayName: 'Sales (dynamic)',
    description: 'Everyone whose department is Sales.',
    groupTypes: ['DynamicMembership'],
    mailNickname: 'SalesDynamic',
    membershipRule: 'user.department -eq "Sales"',
    membershipRuleProcessingState: 'On',
    createdDateTime: '2024-02-01T10:30:00Z',
  },
  {
    ...cloudGroup,
    id: g.hrSynced,
    displayName: 'HR (synced)',
    description: 'Mastered in on-premises Active Directory.',
    mailNickname: 'HRSynced',
    onPremisesSyncEnabled: true,
    createdDateTime: '2023-11-20T07:45:00Z',
  },
  {
    ...cloudGroup,
    id: g.marketingDl,
    displayName: 'Marketing DL',
    description: 'Marketing distribution list.',
    securityEnabled: false,
    mailEnabled: true,
    mailNickname: 'marketing',
    mail: `marketing@${SEED.domain}`,
    createdDateTime: '2024-02-12T14:00:00Z',
  },
  {
    ...cloudGroup,
    id: g.secOpsApprovers,
    displayName: 'SecOps Approvers',
    description: 'May approve or restore GroupGuard cases.',
    mailNickname: 'SecOpsApprovers',
    createdDateTime: '2024-03-01T12:00:00Z',
  },
  {
    ...cloudGroup,
    id: g.projectFalcon,
    displayName: 'Project Falcon',
    description: 'Microsoft 365 group: the team site and mailbox of the Falcon project.',
    groupTypes: ['Unified'],
    securityEnabled: false,
    mailEnabled: true,
    mailNickname: 'ProjectFalcon',
    mail: `ProjectFalcon@${SEED.domain}`,
    createdDateTime: '2024-04-08T09:30:00Z',
  },
];

export const seedTenant: SeedTenant = {
  tenantId: SEED.tenantId,
  domain: SEED.domain,
  app: { ...SEED.app, displayName: 'GroupGuard (demo)' },
  users,
  groups,
  members: {
    [g.finance]: [u.patti, u.johanna, u.lee, u.isaiah, u.lynne],
    [g.tier0]: [u.diego, u.breakGlass, u.adele],
    [g.mfaRequired]: users.filter((x) => x.id !== u.breakGlass).map((x) => x.id),
    [g.salesDynamic]: users.filter((x) => x.department === 'Sales').map((x) => x.id),
    [g.hrSynced]: [u.lynne, u.patti],
    [g.marketingDl]: [u.miriam, u.megan, u.alex],
    [g.secOpsApprovers]: [u.alex, u.megan],
    [g.projectFalcon]: [u.grady, u.nestor, u.isaiah, u.miriam],
  },
};
