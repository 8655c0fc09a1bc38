import { startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import { SimTestClient, type ApiResponse } from './sim-test-client.js';

interface MemberEntry {
  '@odata.type': string;
  id: string;
  '@removed'?: { reason: string };
}
interface DeltaGroup {
  id: string;
  displayName?: string;
  'members@delta'?: MemberEntry[];
}

/** Merges every page's slices per group, as a client must. */
function merge(pages: ApiResponse[]): Map<string, MemberEntry[]> {
  const groups = new Map<string, MemberEntry[]>();
  for (const page of pages) {
    for (const group of page.body.value as DeltaGroup[]) {
      groups.set(group.id, [...(groups.get(group.id) ?? []), ...(group['members@delta'] ?? [])]);
    }
  }
  return groups;
}

describe('graph simulator: groups delta', () => {
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

  it('pages a full sync in small pages and ends with a deltaLink', async () => {
    sim.directory.addMember(SEED.groups.finance, SEED.users.diego, SEED.users.diego);
    const pages = await client.pages('/v1.0/groups/delta?$select=displayName,members', token);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages.slice(0, -1)) {
      expect(page.body['@odata.nextLink']).toMatch(
        new RegExp(`^${sim.url}/v1.0/groups/delta\\?\\$skiptoken=[\\w-]+$`),
      );
      expect(page.body['@odata.deltaLink']).toBeUndefined();
    }
    const last = pages.at(-1) as ApiResponse;
    expect(last.body['@odata.deltaLink']).toMatch(
      new RegExp(`^${sim.url}/v1.0/groups/delta\\?\\$deltatoken=[\\w-]+$`),
    );
    for (const page of pages) {
      const groups = page.body.value as DeltaGroup[];
      expect(groups.length).toBeLessThanOrEqual(5);
      const entries = groups.flatMap((g) => g['members@delta'] ?? []);
      expect(entries.length).toBeLessThanOrEqual(20);
    }
    // Finance has 6 members now, so MFA Required (12) no longer fits the first page.
    const mfaSlices = pages.filter((p) =>
      (p.body.value as DeltaGroup[]).some((g) => g.id === SEED.groups.mfaRequired),
    );
    expect(mfaSlices).toHaveLength(2);

    const merged = merge(pages);
    expect(merged.size).toBe(8);
    for (const group of sim.directory.groups()) {
      const entries = merged.get(group.id) ?? [];
      expect(entries.every((e) => e['@removed'] === undefined)).toBe(true);
      expect(entries.every((e) => e['@odata.type'] === '#microsoft.graph.user')).toBe(true);
      expect(entries.map((e) => e.id).sort()).toEqual(sim.directory.members(group.id).sort());
    }
    const firstGroup = (pages[0]?.body.value as DeltaGroup[])[0];
    expect(Object.keys(firstGroup ?? {}).sort()).toEqual(['displayName', 'id', 'members@delta']);
  });

  it('reports a removal as @removed for exactly that member, and an addition without annotation', async () => {
    const full = await client.pages('/v1.0/groups/delta?$select=displayName,members', token);
    const deltaLink = full.at(-1)?.body['@odata.deltaLink'] as string;

    const removed = await client.call(
      'DELETE',
      `/v1.0/groups/${SEED.groups.finance}/members/${SEED.users.isaiah}/$ref`,
      { token },
    );
    expect(removed.status).toBe(204);
    sim.directory.addMember(SEED.groups.secOpsApprovers, SEED.users.adele, SEED.users.diego);

    const round = await client.pages(deltaLink, token);
    const groups = round.flatMap((p) => p.body.value as DeltaGroup[]);
    expect(groups.map((g) => g.id).sort()).toEqual(
      [SEED.groups.finance, SEED.groups.secOpsApprovers].sort(),
    );
    expect(groups.find((g) => g.id === SEED.groups.finance)?.['members@delta']).toEqual([
      {
        '@odata.type': '#microsoft.graph.user',
        id: SEED.users.isaiah,
        '@removed': { reason: 'deleted' },
      },
    ]);
    expect(groups.find((g) => g.id === SEED.groups.secOpsApprovers)?.['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: SEED.users.adele },
    ]);

    const next = await client.pages(round.at(-1)?.body['@odata.deltaLink'] as string, token);
    expect(next.flatMap((p) => p.body.value)).toEqual([]);
  });

  it('keeps a full sync a consistent snapshot when members change between pages', async () => {
    const before = sim.directory.members(SEED.groups.secOpsApprovers).sort();
    const first = await client.call('GET', '/v1.0/groups/delta?$select=members', { token });
    sim.directory.removeMember(SEED.groups.secOpsApprovers, SEED.users.megan, SEED.users.diego);
    const rest = await client.pages(first.body['@odata.nextLink'], token);
    const merged = merge([first, ...rest]);
    expect(
      merged
        .get(SEED.groups.secOpsApprovers)
        ?.map((e) => e.id)
        .sort(),
    ).toEqual(before);

    const round = await client.pages(rest.at(-1)?.body['@odata.deltaLink'] as string, token);
    expect(merge(round).get(SEED.groups.secOpsApprovers)).toEqual([
      {
        '@odata.type': '#microsoft.graph.user',
        id: SEED.users.megan,
        '@removed': { reason: 'deleted' },
      },
    ]);
  });

  it('answers $deltatoken=latest with no data and a deltaLink from now', async () => {
    sim.directory.removeMember(SEED.groups.tier0, SEED.users.adele, SEED.users.diego);
    const latest = await client.call(
      'GET',
      `/v1.0/groups/delta?$select=members&$filter=id eq '${SEED.groups.tier0}'&$deltaToken=latest`,
      { token },
    );
    expect(latest.status).toBe(200);
    expect(latest.body.value).toEqual([]);
    expect(latest.body['@odata.nextLink']).toBeUndefined();

    sim.directory.removeMember(SEED.groups.tier0, SEED.users.breakGlass, SEED.users.diego);
    sim.directory.removeMember(SEED.groups.finance, SEED.users.lee, SEED.users.diego);
    const round = await client.pages(latest.body['@odata.deltaLink'], token);
    expect(round.flatMap((p) => p.body.value)).toEqual([
      {
        id: SEED.groups.tier0,
        'members@delta': [
          {
            '@odata.type': '#microsoft.graph.user',
            id: SEED.users.breakGlass,
            '@removed': { reason: 'deleted' },
          },
        ],
      },
    ]);
  });

  it('limits $filter to 50 ids', async () => {
    const ids = Array.from(
      { length: 51 },
      (_, i) => `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
    );
    const filter = ids.map((id) => `id eq '${id}'`).join(' or ');
    const r = await client.call('GET', `/v1.0/groups/delta?$filter=${encodeURIComponent(filter)}`, {
      token,
    });
    expect(r.status).toBe(400);
    const bad = await client.call('GET', "/v1.0/groups/delta?$filter=displayName eq 'x'", {
      token,
    });
    expect(bad.status).toBe(400);
  });

  it.each([
    ['syncStateNotFound', 400, 'syncStateNotFound'],
    ['resyncRequired', 400, 'resyncRequired'],
    ['gone410', 410, 'syncStateNotFound'],
  ] as const)('expires tokens as %s', async (kind, status, code) => {
    const query = `$select=members&$filter=id eq '${SEED.groups.finance}'`;
    const full = await client.pages(`/v1.0/groups/delta?${query}`, token);
    const deltaLink = full.at(-1)?.body['@odata.deltaLink'] as string;
    sim.expireDeltaTokens(kind);

    const r = await client.call('GET', deltaLink, { token });
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe(code);
    if (kind === 'gone410') {
      const location = r.headers.get('location') as string;
      expect(location.startsWith(`${sim.url}/v1.0/groups/delta?`)).toBe(true);
      const restart = new URL(location).searchParams;
      expect(restart.get('$deltatoken')).toBe('');
      expect(restart.get('$select')).toBe('members');
      expect(restart.get('$filter')).toBe(`id eq '${SEED.groups.finance}'`);
      const resync = await client.pages(location, token);
      expect(
        merge(resync)
          .get(SEED.groups.finance)
          ?.map((e) => e.id)
          .sort(),
      ).toEqual(sim.directory.members(SEED.groups.finance).sort());
    }
    const fresh = await client.pages(`/v1.0/groups/delta?${query}`, token);
    const ok = await client.call('GET', fresh.at(-1)?.body['@odata.deltaLink'] as string, {
      token,
    });
    expect(ok.status).toBe(200);
  });

  it('treats a token from another simulator instance as a sync reset (410)', async () => {
    const other = await startGraphSimulator();
    const otherClient = new SimTestClient(other);
    try {
      const otherToken = await otherClient.appToken();
      const pages = await otherClient.pages('/v1.0/groups/delta?$select=members', otherToken);
      const foreign = (pages.at(-1)?.body['@odata.deltaLink'] as string).replace(
        other.url,
        sim.url,
      );
      const r = await client.call('GET', foreign, { token });
      expect(r.status).toBe(410);
      expect(r.headers.get('location')).toContain('$deltatoken=');
      const garbage = await client.call('GET', '/v1.0/groups/delta?$deltatoken=%%%', { token });
      expect(garbage.status).toBe(400);
    } finally {
      await otherClient.close();
      await other.stop();
    }
  });
});
