import { SEED } from '../../src/sim/seed-tenant';
import { groupChangeNotification, postNotifications } from '../fakes/graph-notifications';
import { postgresForTests } from '../contract/postgres-for-tests';
import { startCuttableProxy } from '../fakes/cuttable-proxy';
import { metricValue, startGroupGuard, type GroupGuardUnderTest } from './start-groupguard';

const accepted = (gg: GroupGuardUnderTest) =>
  metricValue(gg, 'groupguard_notifications_accepted_total');

const notification = (
  subscriptionId: string,
  clientState: string,
  groupId: string,
  tenantId?: string,
) =>
  groupChangeNotification({
    subscriptionId,
    clientState,
    groupId,
    ...(tenantId ? { tenantId } : {}),
  });

const post = (gg: GroupGuardUnderTest, value: unknown[]) =>
  postNotifications(`${gg.url}/api/graph/notifications`, value);

describe('the durable path refuses or absorbs bad input without losing or doubling work', () => {
  let gg: GroupGuardUnderTest;
  let subscriptionId = '';
  let clientState = '';

  beforeAll(async () => {
    gg = await startGroupGuard();
    const subscription = await gg.app.store.getSubscription();
    subscriptionId = subscription?.id ?? '';
    clientState = subscription?.clientState ?? '';
  });
  afterAll(async () => {
    await gg?.stop();
  });

  it('turns a thousand notifications into one unit of work per group', async () => {
    const before = await accepted(gg);
    const value = [
      ...Array.from({ length: 998 }, () =>
        notification(subscriptionId, clientState, SEED.groups.finance),
      ),
      notification(subscriptionId, clientState, SEED.groups.tier0),
      notification(subscriptionId, clientState, SEED.groups.mfaRequired),
    ];
    expect((await post(gg, value)).status).toBe(202);
    expect((await accepted(gg)) - before).toBe(3);
  });

  it('acknowledges and drops notifications for an unknown subscription or another tenant', async () => {
    const before = await accepted(gg);
    const unknown = await post(gg, [
      notification('00000000-0000-4000-8000-00000000dead', clientState, SEED.groups.finance),
    ]);
    expect(unknown.status).toBe(202);
    const foreign = await post(gg, [
      notification(
        subscriptionId,
        clientState,
        SEED.groups.finance,
        '11111111-2222-4333-8444-555555555555',
      ),
    ]);
    expect(foreign.status).toBe(202);
    expect(await accepted(gg)).toBe(before);
  });

  it('persists nothing from a batch that carries one forged clientState', async () => {
    const before = await accepted(gg);
    const response = await post(gg, [
      notification(subscriptionId, clientState, SEED.groups.finance),
      notification(subscriptionId, 'forged', SEED.groups.tier0),
    ]);
    expect(response.status).toBe(202);
    expect(await accepted(gg)).toBe(before);
  });
});

/** A TCP hop to PostgreSQL that the test can cut, as a network blip or a failover would. */
const postgres = postgresForTests();

describe('a brief store outage on PostgreSQL', () => {
  if (!postgres.available) {
    it('needs a PostgreSQL server', () => postgres.reportMissing());
    return;
  }
  let gg: GroupGuardUnderTest;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;
  let dbName = '';

  beforeAll(async () => {
    const server = new URL(postgres.url);
    proxy = await startCuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    const pg = (await import('pg')).default;
    dbName = `gg_outage_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const viaProxy = new URL(postgres.url);
    viaProxy.port = String(proxy.port);
    viaProxy.pathname = `/${dbName}`;
    gg = await startGroupGuard({ DATABASE_URL: viaProxy.toString() });
  });
  afterAll(async () => {
    proxy?.restore();
    await gg?.stop();
    await proxy?.stop();
    const pg = (await import('pg')).default;
    const admin = new pg.Client({ connectionString: postgres.url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('answers 503 so Graph retries, says why on /readyz, and accepts again when the store is back', async () => {
    const subscription = await gg.app.store.getSubscription();
    const value = [
      notification(subscription?.id ?? '', subscription?.clientState ?? '', SEED.groups.finance),
    ];
    proxy.cut();
    const during = await post(gg, value);
    expect(during.status).toBe(503);
    const ready = await fetch(`${gg.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { store: string } }).checks.store).toMatch(
      /^unavailable/,
    );

    proxy.restore();
    expect((await post(gg, value)).status).toBe(202);
    expect((await fetch(`${gg.url}/readyz`)).status).toBe(200);
  });
});
