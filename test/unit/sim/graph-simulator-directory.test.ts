import { startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph-simulator.js';
import { SEED, seedTenant } from '../../../src/sim/seed-tenant.js';
import { SimTestClient } from './sim-test-client.js';

const ref = (id: string): { '@odata.id': string } => ({
  '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}`,
});

describe('graph simulator: directory reads', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;
  let token: string;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    client = new SimTestClient(sim);
    token = await client.appToken();
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('seeds the Playground users with their exact ids and UPNs', () => {
    const expected: Array<[string, string, string]> = [
      ['Alex Wilber', '00000000-0000-4000-8000-000000000020', 'alexw@groupguard.demo'],
      ['Megan Bowen', '00000000-0000-4000-8000-000000000021', 'meganb@groupguard.demo'],
      ['Adele Vance', '00000000-0000-4000-8000-000000000022', 'adelev@groupguard.demo'],
      ['Isaiah Langer', '00000000-0000-4000-8000-000000000023', 'isaiahl@groupguard.demo'],
      ['Patti Fernandez', '00000000-0000-4000-8000-000000000024', 'pattif@groupguard.demo'],
      ['Lynne Robbins', '00000000-0000-4000-8000-000000000025', 'lynner@groupguard.demo'],
    ];
    for (const [name, id, upn] of expected) {
      const user = sim.directory.findUser(name);
      expect(user).toMatchObject({ id, userPrincipalName: upn, displayName: name });
    }
    expect(sim.directory.findUser('diego')?.isAdmin).toBe(true);
    expect(sim.directory.findUser('bg-admin@groupguard.demo')?.id).toBe(SEED.users.breakGlass);
    expect(sim.directory.members(SEED.groups.secOpsApprovers).sort()).toEqual(
      [SEED.users.alex, SEED.users.megan].sort(),
    );
    expect(sim.directory.isMember(SEED.groups.secOpsApprovers, SEED.users.isaiah)).toBe(false);
    expect(sim.directory.members(SEED.groups.tier0)).toEqual(
      expect.arrayContaining([SEED.users.diego, SEED.users.breakGlass, SEED.users.adele]),
    );
    expect(seedTenant.groups).toHaveLength(8);
  });

  it('returns a group with $select, and all Graph fields without it', async () => {
    const selected = await client.call(
      'GET',
      `/v1.0/groups/${SEED.groups.tier0}?$select=id,displayName,isAssignableToRole`,
      { token },
    );
    expect(selected.status).toBe(200);
    expect(selected.body).toEqual({
      '@odata.context': `${sim.url}/v1.0/$metadata#groups(id,displayName,isAssignableToRole)/$entity`,
      id: SEED.groups.tier0,
      displayName: 'Tier 0 Admins',
      isAssignableToRole: true,
    });
    const full = await client.call('GET', `/v1.0/groups/${SEED.groups.salesDynamic}`, { token });
    expect(full.body).toMatchObject({
      groupTypes: ['DynamicMembership'],
      membershipRule: 'user.department -eq "Sales"',
      membershipRuleProcessingState: 'On',
      securityEnabled: true,
      mailEnabled: false,
      onPremisesSyncEnabled: null,
    });
    const missing = await client.call('GET', '/v1.0/groups/00000000-0000-4000-9000-0000000000ff', {
      token,
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
  });

  it('pages members with $top and an absolute nextLink', async () => {
    const pages = await client.pages(
      `/v1.0/groups/${SEED.groups.mfaRequired}/members?$select=id,displayName&$top=5`,
      token,
    );
    expect(pages.map((p) => p.body.value.length)).toEqual([5, 5, 2]);
    expect(pages[0]?.body['@odata.nextLink']).toMatch(
      new RegExp(`^${sim.url}/v1.0/groups/${SEED.groups.mfaRequired}/members\\?.*\\$skiptoken=`),
    );
    const members = pages.flatMap((p) => p.body.value);
    expect(members[0]).toEqual({
      '@odata.type': '#microsoft.graph.user',
      id: SEED.users.alex,
      displayName: 'Alex Wilber',
    });
    expect(members.map((m) => m.id).sort()).toEqual(
      sim.directory.members(SEED.groups.mfaRequired).sort(),
    );
  });

  it('lists transitive members, users by UPN, directory objects and filtered groups', async () => {
    const transitive = await client.call(
      'GET',
      `/v1.0/groups/${SEED.groups.secOpsApprovers}/transitiveMembers`,
      { token },
    );
    expect(transitive.body.value.map((m: { id: string }) => m.id).sort()).toEqual(
      [SEED.users.alex, SEED.users.megan].sort(),
    );

    const byUpn = await client.call('GET', '/v1.0/users/MeganB@groupguard.demo', { token });
    expect(byUpn.body).toMatchObject({
      id: SEED.users.megan,
      givenName: 'Megan',
      surname: 'Bowen',
    });
    expect(byUpn.body.accountEnabled).toBeUndefined();
    const selected = await client.call(
      'GET',
      `/v1.0/users/${SEED.users.megan}?$select=accountEnabled,jobTitle`,
      { token },
    );
    expect(selected.body).toMatchObject({ id: SEED.users.megan, accountEnabled: true });

    const object = await client.call('GET', `/v1.0/directoryObjects/${SEED.users.isaiah}`, {
      token,
    });
    expect(object.body['@odata.type']).toBe('#microsoft.graph.user');
    expect(object.body.userPrincipalName).toBe('isaiahl@groupguard.demo');

    const filtered = await client.call(
      'GET',
      "/v1.0/groups?$filter=displayName eq 'sales (dynamic)'&$select=id",
      { token },
    );
    expect(filtered.body.value).toEqual([{ id: SEED.groups.salesDynamic }]);
  });

  it('answers checkMemberGroups with the groups the user is in', async () => {
    const r = await client.call('POST', `/v1.0/users/${SEED.users.isaiah}/checkMemberGroups`, {
      token,
      body: { groupIds: [SEED.groups.secOpsApprovers, SEED.groups.finance, SEED.groups.tier0] },
    });
    expect(r.status).toBe(200);
    expect(r.body.value).toEqual([SEED.groups.finance]);
  });

  // learn.microsoft.com/graph/api/directoryobject-checkmembergroups: users and groups, transitive.
  it('answers checkMemberGroups for a group nested two levels deep, on /directoryObjects', async () => {
    sim.directory.addMember(SEED.groups.finance, SEED.groups.mfaRequired, SEED.users.diego);
    sim.directory.addMember(SEED.groups.secOpsApprovers, SEED.groups.finance, SEED.users.diego);
    try {
      const r = await client.call(
        'POST',
        `/v1.0/directoryObjects/${SEED.groups.mfaRequired}/checkMemberGroups`,
        { token, body: { groupIds: [SEED.groups.secOpsApprovers, SEED.groups.tier0] } },
      );
      expect(r.status).toBe(200);
      expect(r.body.value).toEqual([SEED.groups.secOpsApprovers]);
    } finally {
      sim.directory.removeMember(
        SEED.groups.secOpsApprovers,
        SEED.groups.finance,
        SEED.users.diego,
      );
      sim.directory.removeMember(SEED.groups.finance, SEED.groups.mfaRequired, SEED.users.diego);
    }
  });
});

describe('graph simulator: membership writes and audit', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;
  let token: string;

  beforeEach(async () => {
    sim = await startGraphSimulator();
    client = new SimTestClient(sim);
    token = await client.appToken();
  });
  afterEach(async () => {
    await client.close();
    await sim.stop();
  });

  const membersRef = (groupId: string): string => `/v1.0/groups/${groupId}/members/$ref`;

  it('adds with 204, then answers the documented 400 for an existing member', async () => {
    const first = await client.call('POST', membersRef(SEED.groups.finance), {
      token,
      body: ref(SEED.users.grady),
    });
    expect(first.status).toBe(204);
    expect(sim.directory.isMember(SEED.groups.finance, SEED.users.grady)).toBe(true);

    const again = await client.call('POST', membersRef(SEED.groups.finance), {
      token,
      body: { '@odata.id': `${sim.url}/v1.0/users/${SEED.users.grady}` },
    });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('Request_BadRequest');
    expect(again.body.error.message).toBe(
      "One or more added object references already exist for the following modified properties: 'members'.",
    );
    expect(Object.keys(again.body.error.innerError).sort()).toEqual([
      'client-request-id',
      'date',
      'request-id',
    ]);
  });

  it('answers 404 for an unknown member and for removing a non-member', async () => {
    const unknown = '00000000-0000-4000-8000-0000000000ee';
    const add = await client.call('POST', membersRef(SEED.groups.finance), {
      token,
      body: ref(unknown),
    });
    expect(add.status).toBe(404);
    expect(add.body.error).toMatchObject({
      code: 'Request_ResourceNotFound',
      message: `Resource '${unknown}' does not exist or one of its queried reference-property objects are not present.`,
    });
    const remove = await client.call(
      'DELETE',
      `/v1.0/groups/${SEED.groups.finance}/members/${SEED.users.alex}/$ref`,
      { token },
    );
    expect(remove.status).toBe(404);
    expect(remove.body.error.code).toBe('Request_ResourceNotFound');
  });

  it.each([
    [SEED.groups.salesDynamic, 'Cannot add members to a group with dynamic membership.'],
    [
      SEED.groups.hrSynced,
      'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
    ],
    [
      SEED.groups.marketingDl,
      'Cannot Update a mail-enabled security groups and or distribution list.',
    ],
  ])('refuses writes to read-only group %s', async (groupId, message) => {
    const add = await client.call('POST', membersRef(groupId), {
      token,
      body: ref(SEED.users.lee),
    });
    expect(add.status).toBe(400);
    expect(add.body.error).toMatchObject({ code: 'Request_BadRequest', message });
    const member = sim.directory.members(groupId)[0] as string;
    const remove = await client.call('DELETE', `/v1.0/groups/${groupId}/members/${member}/$ref`, {
      token,
    });
    expect(remove.status).toBe(400);
    expect(remove.body.error.message).toBe(message);
    expect(sim.directory.isMember(groupId, member)).toBe(true);
  });

  // "Only Microsoft 365 and security groups can be managed through the Microsoft Graph groups
  // API. Mail-enabled and distribution groups are read-only" (Graph docs, "Working with groups
  // in Microsoft Graph", groups-overview): a Unified group is mail-enabled and still writable.
  it('lets Graph change the members of a Microsoft 365 group, which is mail-enabled', async () => {
    const falcon = sim.directory.findGroup('Project Falcon');
    expect(falcon).toMatchObject({ groupTypes: ['Unified'], mailEnabled: true });
    const remove = await client.call(
      'DELETE',
      `/v1.0/groups/${SEED.groups.projectFalcon}/members/${SEED.users.grady}/$ref`,
      { token },
    );
    expect(remove.status).toBe(204);
    const add = await client.call('POST', membersRef(SEED.groups.projectFalcon), {
      token,
      body: ref(SEED.users.grady),
    });
    expect(add.status).toBe(204);
    expect(sim.directory.isMember(SEED.groups.projectFalcon, SEED.users.grady)).toBe(true);
  });

  it('rejects a malformed $ref body', async () => {
    for (const body of [
      {},
      { '@odata.id': 'nope' },
      { '@odata.id': 'https://evil.example/v1.0/users/x' },
    ]) {
      const r = await client.call('POST', membersRef(SEED.groups.finance), { token, body });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('BadRequest');
    }
  });

  it('records a removal by an admin in directoryAudits with initiatedBy.user', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const admin = await client.userToken('diegos@groupguard.demo');
    const removed = await client.call(
      'DELETE',
      `/v1.0/groups/${SEED.groups.tier0}/members/${SEED.users.breakGlass}/$ref`,
      { token: admin },
    );
    expect(removed.status).toBe(204);
    sim.directory.removeMember('Finance Team', 'Isaiah Langer', 'Patti Fernandez');
    await client.call('POST', membersRef(SEED.groups.tier0), {
      token,
      body: ref(SEED.users.breakGlass),
    });

    const filter =
      `activityDisplayName eq 'Remove member from group' and activityDateTime ge ${since}` +
      ` and targetResources/any(t:t/id eq '${SEED.users.breakGlass}')`;
    const r = await client.call(
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent(filter)}&$orderby=activityDateTime desc&$top=5`,
      { token },
    );
    expect(r.status).toBe(200);
    expect(r.body.value).toHaveLength(1);
    const record = r.body.value[0];
    expect(record).toMatchObject({
      category: 'GroupManagement',
      activityDisplayName: 'Remove member from group',
      loggedByService: 'Core Directory',
      operationType: 'Unassign',
      result: 'success',
      initiatedBy: {
        user: {
          id: SEED.users.diego,
          displayName: 'Diego Siciliani',
          userPrincipalName: 'diegos@groupguard.demo',
        },
        app: null,
      },
    });
    expect(record.targetResources[0]).toMatchObject({
      id: SEED.users.breakGlass,
      type: 'User',
      userPrincipalName: 'bg-admin@groupguard.demo',
      modifiedProperties: [
        { displayName: 'Group.ObjectID', oldValue: `"${SEED.groups.tier0}"`, newValue: null },
        { displayName: 'Group.DisplayName', oldValue: '"Tier 0 Admins"', newValue: null },
      ],
    });
    expect(record.targetResources[1]).toMatchObject({ id: SEED.groups.tier0, type: 'Group' });

    const adds = await client.call(
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("activityDisplayName eq 'Add member to group'")}`,
      { token },
    );
    expect(adds.body.value).toHaveLength(1);
    expect(adds.body.value[0].initiatedBy).toEqual({
      user: null,
      app: {
        appId: SEED.app.clientId,
        displayName: 'GroupGuard (demo)',
        servicePrincipalId: SEED.app.servicePrincipalId,
        servicePrincipalName: 'GroupGuard (demo)',
      },
    });
    expect(adds.body.value[0].operationType).toBe('Assign');

    const all = await client.call(
      'GET',
      '/v1.0/auditLogs/directoryAudits?$orderby=activityDateTime asc',
      {
        token,
      },
    );
    expect(
      all.body.value.map((a: { activityDisplayName: string }) => a.activityDisplayName),
    ).toEqual(['Remove member from group', 'Remove member from group', 'Add member to group']);
    expect(all.body.value[1].initiatedBy.user.id).toBe(SEED.users.patti);

    const bad = await client.call(
      'GET',
      `/v1.0/auditLogs/directoryAudits?$filter=${encodeURIComponent("nonsense eq 'x'")}`,
      { token },
    );
    expect(bad.status).toBe(400);
  });

  it('makes directory.removeMember throw for a non-member and allow read-only groups', () => {
    expect(() =>
      sim.directory.removeMember(SEED.groups.secOpsApprovers, SEED.users.isaiah, SEED.users.diego),
    ).toThrow(/not a member/);
    sim.directory.removeMember(SEED.groups.salesDynamic, SEED.users.isaiah, SEED.users.diego);
    expect(sim.directory.isMember(SEED.groups.salesDynamic, SEED.users.isaiah)).toBe(false);
    expect(sim.directory.auditRecords()).toHaveLength(1);
  });
});
