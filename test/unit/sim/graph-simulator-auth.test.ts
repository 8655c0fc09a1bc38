import { startGraphSimulator, type GraphSimulator } from '../../../src/sim/graph-simulator.js';
import { SEED } from '../../../src/sim/seed-tenant.js';
import { SimTestClient } from './sim-test-client.js';

describe('graph simulator: Entra token endpoint and bearer auth', () => {
  let sim: GraphSimulator;
  let client: SimTestClient;

  beforeAll(async () => {
    sim = await startGraphSimulator();
    client = new SimTestClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.stop();
  });

  it('serves on 127.0.0.1 over https with the seeded tenant and app', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.ca).toContain('BEGIN CERTIFICATE');
    expect(sim.tenantId).toBe('4a6f6e61-0000-4000-8000-00000000a001');
    expect(sim.credentials.clientId).toBe(SEED.app.clientId);
    expect(sim.tokenUrl).toBe(`${sim.url}/${sim.tenantId}/oauth2/v2.0/token`);
  });

  it('refuses a client that does not trust the certificate', async () => {
    await expect(fetch(`${sim.url}/v1.0/groups`)).rejects.toThrow();
  });

  it('issues an app token for client_credentials with the .default scope', async () => {
    const r = await client.tokenResponse({
      grant_type: 'client_credentials',
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      token_type: 'Bearer',
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: expect.any(String),
    });
    const groups = await client.call('GET', '/v1.0/groups', { token: r.body.access_token });
    expect(groups.status).toBe(200);
  });

  it('rejects a wrong client secret with AADSTS7000215', async () => {
    const r = await client.tokenResponse({
      grant_type: 'client_credentials',
      client_id: sim.credentials.clientId,
      client_secret: 'not-the-secret',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('invalid_client');
    expect(r.body.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(r.body.error_codes).toEqual([7000215]);
  });

  it('rejects an unknown tenant with invalid_request', async () => {
    const r = await client.call('POST', '/00000000-0000-0000-0000-00000000dead/oauth2/v2.0/token', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_request');
    expect(r.body.error_description).toMatch(/^AADSTS90002: Tenant/);
  });

  it('rejects a scope without /.default', async () => {
    const r = await client.tokenResponse({
      grant_type: 'client_credentials',
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
      scope: 'User.Read',
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('invalid_scope');
  });

  it('issues a user token to a seeded admin with the ROPC grant, and only to an admin', async () => {
    const token = await client.userToken('diegos@groupguard.demo');
    const me = await client.call('GET', '/v1.0/me', { token });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(SEED.users.diego);

    const notAdmin = await client.tokenResponse({
      grant_type: 'password',
      username: 'isaiahl@groupguard.demo',
      password: sim.adminPassword,
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(notAdmin.status).toBe(400);
    expect(notAdmin.body.error).toBe('invalid_grant');

    const wrongPassword = await client.tokenResponse({
      grant_type: 'password',
      username: 'diegos@groupguard.demo',
      password: 'guess',
      client_id: sim.credentials.clientId,
      client_secret: sim.credentials.clientSecret,
      scope: 'https://graph.microsoft.com/.default',
    });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.error_description).toMatch(/^AADSTS50126/);
  });

  it('publishes an OpenID configuration for the tenant', async () => {
    const { status, body } = await client.call(
      'GET',
      `/${sim.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(status).toBe(200);
    expect(body.token_endpoint).toBe(sim.tokenUrl);
    expect(body.issuer).toBe(`${sim.url}/${sim.tenantId}/v2.0`);
    expect(body.authorization_endpoint).toMatch(/\/oauth2\/v2\.0\/authorize$/);
    expect(body.jwks_uri).toMatch(/\/discovery\/v2\.0\/keys$/);
  });

  it('answers 401 InvalidAuthenticationToken without a token, with Graph headers', async () => {
    const r = await client.call('GET', '/v1.0/groups', {
      headers: { 'client-request-id': 'abc-123' },
    });
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('InvalidAuthenticationToken');
    expect(r.body.error.message).toBe('Access token is empty.');
    expect(r.body.error.innerError['client-request-id']).toBe('abc-123');
    expect(r.headers.get('client-request-id')).toBe('abc-123');
    expect(r.headers.get('request-id')).toBe(r.body.error.innerError['request-id']);
    expect(r.body.error.innerError.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  });

  it('answers 401 for a token it did not issue', async () => {
    const r = await client.call('GET', '/v1.0/groups', { token: 'forged' });
    expect(r.status).toBe(401);
    expect(r.body.error.message).toBe('Access token validation failure. Invalid audience.');
  });

  it('answers unknown routes, wrong methods and bad bodies with Graph errors', async () => {
    const token = await client.appToken();
    const unknown = await client.call('GET', '/v1.0/nothing/here', { token });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ResourceNotFound');

    const wrongMethod = await client.call('PUT', `/v1.0/groups/${SEED.groups.finance}`, { token });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');

    const badJson = await client.call('POST', `/v1.0/groups/${SEED.groups.finance}/members/$ref`, {
      token,
      body: '{not json',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('BadRequest');

    const huge = await client.call('POST', '/v1.0/subscriptions', {
      token,
      body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(huge.status).toBe(413);

    const badSelect = await client.call('GET', `/v1.0/groups/${SEED.groups.finance}?$select=nope`, {
      token,
    });
    expect(badSelect.status).toBe(400);
    expect(badSelect.body.error.message).toBe(
      "Could not find a property named 'nope' on type 'microsoft.graph.group'.",
    );

    const badId = await client.call('GET', '/v1.0/groups/not-a-guid', { token });
    expect(badId.status).toBe(400);
    expect(badId.body.error.code).toBe('Request_BadRequest');

    const stillUp = await client.call('GET', '/v1.0/groups', { token });
    expect(stillUp.status).toBe(200);
  });
});
