import {
  AppCredentials,
  MicrosoftAppCredentials,
  ServiceClientCredentialsFactory,
  type AuthenticatorResult,
  type ServiceClientCredentials,
} from 'botframework-connector';

export interface LocalBotCredentialsFactoryOptions {
  readonly appId: string;
  readonly appPassword: string;
  /**
   * Client-credentials token endpoint. Defaults to `{loginEndpoint}/oauth2/v2.0/token`, where
   * botbuilder passes `ToChannelFromBotLoginUrl` as the login endpoint.
   */
  readonly tokenUrl?: string;
  /**
   * Scope used when botbuilder hands over an empty audience (e.g. `createConversationAsync(..., '', ...)`);
   * the production factory falls back to the public-cloud scope there, so set this to `ToChannelFromBotOAuthScope`.
   */
  readonly defaultScope?: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Test-only `ServiceClientCredentialsFactory`: the bot's outbound connector calls carry a bearer minted
 * by the local identity provider over plain http, because the built-in MSAL path cannot run offline
 * (https-only authority plus cloud instance discovery). Refuses any non-loopback token URL.
 */
export class LocalBotCredentialsFactory extends ServiceClientCredentialsFactory {
  private readonly appId: string;
  private readonly appPassword: string;
  private readonly tokenUrl: string | undefined;
  private readonly defaultScope: string | undefined;
  // A per-factory cache, unlike AppCredentials' process-wide one, so two local IdPs never share tokens.
  private readonly tokens = new Map<string, AuthenticatorResult>();

  constructor(options: LocalBotCredentialsFactoryOptions) {
    super();
    this.appId = options.appId;
    this.appPassword = options.appPassword;
    this.tokenUrl = options.tokenUrl === undefined ? undefined : assertLoopback(options.tokenUrl);
    this.defaultScope = options.defaultScope;
  }

  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return this.appId === '';
  }

  async createCredentials(
    appId: string,
    audience: string | undefined,
    loginEndpoint: string,
    _validateAuthority: boolean,
  ): Promise<ServiceClientCredentials> {
    if (await this.isAuthenticationDisabled()) return MicrosoftAppCredentials.Empty;
    // Same message as PasswordServiceClientCredentialFactory, so tests see what production would throw.
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const tokenUrl =
      this.tokenUrl ?? assertLoopback(`${loginEndpoint.replace(/\/+$/, '')}/oauth2/v2.0/token`);
    const scope = audience || this.defaultScope || undefined;
    return new LocalAppCredentials(appId, scope, (resolvedScope, forceRefresh) =>
      this.getToken(tokenUrl, resolvedScope, forceRefresh),
    );
  }

  private async getToken(tokenUrl: string, scope: string, forceRefresh: boolean): Promise<string> {
    const key = `${tokenUrl} ${scope}`;
    const cached = this.tokens.get(key);
    if (!forceRefresh && cached && cached.expiresOn.getTime() > Date.now())
      return cached.accessToken;
    const result = await requestToken(tokenUrl, this.appId, this.appPassword, scope);
    this.tokens.set(key, {
      accessToken: result.accessToken,
      expiresOn: new Date(result.expiresOn.getTime() - 300_000),
    });
    return result.accessToken;
  }
}

type TokenSource = (scope: string, forceRefresh: boolean) => Promise<string>;

class LocalAppCredentials extends AppCredentials {
  private readonly tokenSource: TokenSource;

  constructor(appId: string, scope: string | undefined, tokenSource: TokenSource) {
    super(appId, undefined, scope);
    this.tokenSource = tokenSource;
  }

  override getToken(forceRefresh = false): Promise<string> {
    return this.tokenSource(this.oAuthScope, forceRefresh);
  }

  protected override refreshToken(): Promise<AuthenticatorResult> {
    throw new Error('LocalAppCredentials obtains tokens through getToken().');
  }
}

async function requestToken(
  tokenUrl: string,
  clientId: string,
  clientSecret: string,
  scope: string,
): Promise<AuthenticatorResult> {
  const response = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: scope.endsWith('/.default') ? scope : `${scope}/.default`,
    }),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    expires_in?: number;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(
      `Local token endpoint ${tokenUrl} answered ${response.status}: ${body.error ?? 'no access_token'} ${body.error_description ?? ''}`.trim(),
    );
  }
  return {
    accessToken: body.access_token,
    expiresOn: new Date(Date.now() + (body.expires_in ?? 3600) * 1000),
  };
}

function assertLoopback(url: string): string {
  const parsed = new URL(url);
  if (!['http:', 'https:'].includes(parsed.protocol) || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new Error(
      `LocalBotCredentialsFactory is test-only and refuses non-loopback token URL ${url}`,
    );
  }
  return url;
}
