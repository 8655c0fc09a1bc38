import { AppCredentials, MicrosoftAppCredentials } from 'botframework-connector';
import { LocalBotCredentialsFactory } from '../../fakes/local-bot-credentials-factory.js';
import {
  startLocalIdentityProvider,
  type LocalIdentityProvider,
} from '../../fakes/local-identity-provider.js';

let idp: LocalIdentityProvider;

beforeAll(async () => {
  idp = await startLocalIdentityProvider({ clientId: 'bot-app-id', clientSecret: 's3cret' });
});

afterAll(() => idp.stop());

const loginUrl = () => `${idp.baseUrl}/botframework.com`;

async function tokenFrom(factory: LocalBotCredentialsFactory, audience: string) {
  const credentials = await factory.createCredentials('bot-app-id', audience, loginUrl(), false);
  expect(credentials).toBeInstanceOf(AppCredentials);
  return (credentials as AppCredentials).getToken();
}

test('gets a token from the login endpoint botbuilder passes, once per scope', async () => {
  const factory = new LocalBotCredentialsFactory({ appId: 'bot-app-id', appPassword: 's3cret' });
  const before = idp.requests.filter((r) => r.method === 'POST').length;

  const first = await tokenFrom(factory, idp.oauthScope);
  const second = await tokenFrom(factory, idp.oauthScope);

  expect(idp.verifyAccessToken(first)).toBe(true);
  expect(second).toBe(first);
  expect(idp.requests.filter((r) => r.method === 'POST')).toHaveLength(before + 1);
});

test('an empty audience falls back to defaultScope, like the production factory falls back to its public scope', async () => {
  const factory = new LocalBotCredentialsFactory({
    appId: 'bot-app-id',
    appPassword: 's3cret',
    defaultScope: idp.oauthScope,
  });

  expect(idp.verifyAccessToken(await tokenFrom(factory, ''))).toBe(true);
});

test('a wrong secret surfaces the token endpoint error', async () => {
  const factory = new LocalBotCredentialsFactory({
    appId: 'bot-app-id',
    appPassword: 'wrong',
    tokenUrl: idp.tokenUrl,
  });

  await expect(tokenFrom(factory, idp.oauthScope)).rejects.toThrow(/answered 401: invalid_client/);
});

test('behaves like PasswordServiceClientCredentialFactory for app ids', async () => {
  const factory = new LocalBotCredentialsFactory({ appId: 'bot-app-id', appPassword: 's3cret' });
  const disabled = new LocalBotCredentialsFactory({ appId: '', appPassword: '' });

  expect(await factory.isValidAppId('bot-app-id')).toBe(true);
  expect(await factory.isValidAppId('other')).toBe(false);
  expect(await factory.isAuthenticationDisabled()).toBe(false);
  await expect(
    factory.createCredentials('other', idp.oauthScope, loginUrl(), false),
  ).rejects.toThrow('Invalid appId.');
  expect(await disabled.isAuthenticationDisabled()).toBe(true);
  expect(await disabled.createCredentials('', idp.oauthScope, loginUrl(), false)).toBe(
    MicrosoftAppCredentials.Empty,
  );
});

test('refuses token endpoints that are not on loopback', async () => {
  expect(
    () =>
      new LocalBotCredentialsFactory({
        appId: 'a',
        appPassword: 'b',
        tokenUrl: 'https://login.microsoftonline.com/x',
      }),
  ).toThrow(/test-only/);
  const factory = new LocalBotCredentialsFactory({ appId: 'a', appPassword: 'b' });
  await expect(
    factory.createCredentials(
      'a',
      idp.oauthScope,
      'https://login.microsoftonline.com/botframework.com',
      false,
    ),
  ).rejects.toThrow(/test-only/);
});
