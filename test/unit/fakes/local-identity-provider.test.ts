import {
  startLocalIdentityProvider,
  type LocalIdentityProvider,
} from '../../fakes/local-identity-provider.js';

let idp: LocalIdentityProvider;

beforeAll(async () => {
  idp = await startLocalIdentityProvider({ clientId: 'bot-app-id', clientSecret: 's3cret' });
});

afterAll(() => idp.stop());

function decode(jwt: string) {
  const [header, claims] = jwt
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown);
  return { header, claims };
}

async function requestToken(fields: Record<string, string>, url = idp.tokenUrl) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const clientCredentials = {
  grant_type: 'client_credentials',
  client_id: 'bot-app-id',
  client_secret: 's3cret',
  scope: 'https://api.botframework.test/.default',
};

test('serves OpenID metadata and a JWKS whose RSA key is endorsed for msteams', async () => {
  const metadata = (await (await fetch(idp.openIdMetadataUrl)).json()) as Record<string, unknown>;
  const jwks = (await (await fetch(idp.jwksUri)).json()) as { keys: Record<string, unknown>[] };

  expect(metadata).toMatchObject({
    issuer: idp.channelIssuer,
    jwks_uri: idp.jwksUri,
    token_endpoint: idp.tokenUrl,
    id_token_signing_alg_values_supported: ['RS256'],
  });
  expect(jwks.keys).toEqual([
    expect.objectContaining({
      kty: 'RSA',
      kid: idp.kid,
      n: expect.any(String),
      e: 'AQAB',
      endorsements: ['msteams'],
    }),
  ]);
});

test('the token endpoint issues a signed access token for the requested resource', async () => {
  const { status, body } = await requestToken(clientCredentials);

  expect(status).toBe(200);
  expect(body).toMatchObject({
    token_type: 'Bearer',
    expires_in: 3600,
    access_token: expect.any(String),
  });
  const token = String(body.access_token);
  expect(decode(token).claims).toMatchObject({
    aud: 'https://api.botframework.test',
    appid: 'bot-app-id',
  });
  expect(idp.verifyAccessToken(token)).toBe(true);
  expect(idp.checkAccessToken(token, 'https://graph.microsoft.com')).toEqual({
    valid: false,
    reason: 'aud https://api.botframework.test, expected https://graph.microsoft.com',
  });
  const [header, claims] = token.split('.');
  expect(
    idp.verifyAccessToken(`${header}.${claims}.${Buffer.from('forged').toString('base64url')}`),
  ).toBe(false);
});

test('the tenant-scoped token path works too (it is what ToChannelFromBotLoginUrl points at)', async () => {
  const { status } = await requestToken(
    clientCredentials,
    `${idp.baseUrl}/botframework.com/oauth2/v2.0/token`,
  );

  expect(status).toBe(200);
});

test.each([
  ['a wrong secret', { client_secret: 'nope' }, 401, 'invalid_client'],
  ['an unknown client', { client_id: 'someone' }, 400, 'unauthorized_client'],
  ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ['a scope without /.default', { scope: 'https://api.botframework.test' }, 400, 'invalid_scope'],
])('the token endpoint refuses %s', async (_name, override, status, error) => {
  const response = await requestToken({ ...clientCredentials, ...override });

  expect(response).toEqual({ status, body: expect.objectContaining({ error }) });
});

test('channel tokens carry the Bot Framework claims and nothing that reads as a skill or emulator token', () => {
  const token = idp.signChannelToken({
    audience: 'bot-app-id',
    serviceUrl: 'http://127.0.0.1:1234/',
  });

  const { header, claims } = decode(token);
  expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: idp.kid });
  expect(claims).toEqual({
    iss: 'https://api.botframework.test',
    aud: 'bot-app-id',
    serviceurl: 'http://127.0.0.1:1234/',
    iat: expect.any(Number),
    nbf: expect.any(Number),
    exp: expect.any(Number),
  });
  expect(
    decode(idp.signChannelToken({ audience: 'x', serviceUrl: 'y', signWithForeignKey: true }))
      .header,
  ).toMatchObject({
    kid: 'foreign-key',
  });
});

test('botAuthSettings sets every endpoint key, so botbuilder never mixes in public-cloud defaults', () => {
  expect(idp.botAuthSettings('bot-app-id', 's3cret')).toEqual({
    MicrosoftAppId: 'bot-app-id',
    MicrosoftAppPassword: 's3cret',
    MicrosoftAppType: 'MultiTenant',
    ValidateAuthority: false,
    ToChannelFromBotLoginUrl: `${idp.baseUrl}/botframework.com`,
    ToChannelFromBotOAuthScope: idp.oauthScope,
    ToBotFromChannelTokenIssuer: idp.channelIssuer,
    OAuthUrl: `${idp.baseUrl}/user-token-service`,
    ToBotFromChannelOpenIdMetadataUrl: idp.openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: idp.emulatorOpenIdMetadataUrl,
    CallerId: 'urn:botframework:azure',
  });
  expect(idp.botAuthSettings('bot-app-id', 's3cret', { tenantId: 'tenant-1' })).toMatchObject({
    MicrosoftAppType: 'SingleTenant',
    MicrosoftAppTenantId: 'tenant-1',
    ToChannelFromBotLoginUrl: `${idp.baseUrl}/tenant-1`,
  });
});
