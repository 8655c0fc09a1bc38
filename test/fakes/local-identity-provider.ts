import {
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  startLoopbackServer,
  type LoopbackRequest,
  type LoopbackResponse,
} from './loopback-server.js';

export interface LocalIdentityProviderOptions {
  /** The one confidential client the token endpoint accepts. Defaults to a random GUID. */
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly accessTokenLifetimeSeconds?: number;
  /**
   * Channels the signing key is endorsed for. Default `msteams`; Bot Framework's own keys list
   * several (webchat, directline, …), so one genuine token can carry another channel's activity.
   */
  readonly endorsements?: readonly string[];
}

export interface ChannelTokenOptions {
  readonly audience: string;
  /** Must equal the activity's `serviceUrl` for botbuilder to accept the token. */
  readonly serviceUrl: string;
  readonly issuer?: string;
  /** Default 3600. botbuilder allows 300 s of clock skew, so "expired" needs less than -300. */
  readonly expiresInSeconds?: number;
  readonly notBeforeOffsetSeconds?: number;
  /** Sign with a key that is not in the JWKS (by default also under a kid the JWKS does not list). */
  readonly signWithForeignKey?: boolean;
  readonly kid?: string;
  /**
   * More claims, e.g. `ver`, `appid`, `tid` of an Entra token minted with the bot's own
   * credentials, which botbuilder's emulator path accepts under an `sts.windows.net` issuer.
   */
  readonly extraClaims?: Readonly<Record<string, unknown>>;
}

export interface BotAuthSettingsOptions {
  /** When given, the bot is configured as SingleTenant in this tenant. */
  readonly tenantId?: string;
}

/** The keys `ConfigurationBotFrameworkAuthentication` reads, all pointing at the local IdP. */
export interface BotAuthSettings {
  readonly [key: string]: string | boolean | undefined;
  readonly MicrosoftAppId: string;
  readonly MicrosoftAppPassword: string;
  readonly MicrosoftAppType: 'MultiTenant' | 'SingleTenant';
  readonly MicrosoftAppTenantId?: string;
  readonly ValidateAuthority: boolean;
  readonly ToChannelFromBotLoginUrl: string;
  readonly ToChannelFromBotOAuthScope: string;
  readonly ToBotFromChannelTokenIssuer: string;
  readonly OAuthUrl: string;
  readonly ToBotFromChannelOpenIdMetadataUrl: string;
  readonly ToBotFromEmulatorOpenIdMetadataUrl: string;
  readonly CallerId: string;
}

export type AccessTokenCheck =
  | { readonly valid: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly valid: false; readonly reason: string };

export interface IdentityProviderRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** For token requests: the form's client_id, scope and OAuth error code, never the secret. */
  readonly clientId?: string;
  readonly scope?: string;
  readonly error?: string;
}

export interface LocalIdentityProvider {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly baseUrl: string;
  readonly openIdMetadataUrl: string;
  readonly emulatorOpenIdMetadataUrl: string;
  readonly jwksUri: string;
  readonly tokenUrl: string;
  /** `iss` of channel→bot tokens; a custom string, deliberately not an Entra issuer. */
  readonly channelIssuer: string;
  readonly accessTokenIssuer: string;
  /** Resource the bot asks tokens for (`ToChannelFromBotOAuthScope`); the fake connector's expected `aud`. */
  readonly oauthScope: string;
  readonly kid: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly requests: readonly IdentityProviderRequestRecord[];
  signChannelToken(options: ChannelTokenOptions): string;
  /** Signature, issuer, lifetime and audience (default `oauthScope`) of a token from the token endpoint. */
  checkAccessToken(token: string, audience?: string): AccessTokenCheck;
  verifyAccessToken(token: string, audience?: string): boolean;
  botAuthSettings(
    appId: string,
    appPassword: string,
    options?: BotAuthSettingsOptions,
  ): BotAuthSettings;
  stop(): Promise<void>;
}

const CLOCK_SKEW_SECONDS = 60;
const TOKEN_PATH = /^(?:\/([^/]+))?\/oauth2\/v2\.0\/token$/;

export async function startLocalIdentityProvider(
  options: LocalIdentityProviderOptions = {},
): Promise<LocalIdentityProvider> {
  const clientId = options.clientId ?? randomUUID();
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  const accessTokenLifetime = options.accessTokenLifetimeSeconds ?? 3600;
  const kid = `local-${randomBytes(6).toString('hex')}`;
  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let foreignKey: KeyObject | undefined;
  const requests: IdentityProviderRequestRecord[] = [];

  let baseUrl = '';
  const channelIssuer = 'https://api.botframework.test';
  const oauthScope = 'https://api.botframework.test';
  const accessTokenIssuer = () => `${baseUrl}/v2.0`;

  const openIdConfiguration = () => ({
    issuer: channelIssuer,
    authorization_endpoint: `${baseUrl}/oauth2/v2.0/authorize`,
    token_endpoint: `${baseUrl}/oauth2/v2.0/token`,
    jwks_uri: `${baseUrl}/keys`,
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_post'],
  });

  const jwks = () => ({
    keys: [
      {
        ...signingKey.publicKey.export({ format: 'jwk' }),
        kid,
        use: 'sig',
        alg: 'RS256',
        endorsements: [...(options.endorsements ?? ['msteams'])],
      },
    ],
  });

  const tokenEndpoint = (
    request: LoopbackRequest,
    tenant: string | undefined,
  ): LoopbackResponse => {
    const form = new URLSearchParams(request.rawBody);
    const grantType = form.get('grant_type');
    const requestClientId = form.get('client_id') ?? undefined;
    const scope = form.get('scope') ?? undefined;
    const fail = (status: number, error: string, description: string): LoopbackResponse => {
      requests.push({
        method: request.method,
        path: request.path,
        status,
        clientId: requestClientId,
        scope,
        error,
      });
      return { status, body: { error, error_description: description } };
    };
    if (grantType !== 'client_credentials') {
      return fail(
        400,
        'unsupported_grant_type',
        `AADSTS70003: grant_type '${grantType}' is not supported.`,
      );
    }
    if (!requestClientId || !scope) {
      return fail(400, 'invalid_request', 'AADSTS900144: client_id and scope are required.');
    }
    if (requestClientId !== clientId) {
      return fail(
        400,
        'unauthorized_client',
        `AADSTS700016: Application '${requestClientId}' was not found.`,
      );
    }
    if (form.get('client_secret') !== clientSecret) {
      return fail(401, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.');
    }
    if (!scope.endsWith('/.default')) {
      return fail(
        400,
        'invalid_scope',
        'AADSTS1002012: client credential flows need a scope ending in /.default.',
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = signJwt(
      { alg: 'RS256', typ: 'JWT', kid },
      {
        aud: scope.slice(0, -'/.default'.length),
        iss: accessTokenIssuer(),
        iat: now,
        nbf: now,
        exp: now + accessTokenLifetime,
        appid: requestClientId,
        azp: requestClientId,
        sub: requestClientId,
        tid: tenant ?? 'botframework.com',
        ver: '2.0',
      },
      signingKey.privateKey,
    );
    requests.push({
      method: request.method,
      path: request.path,
      status: 200,
      clientId: requestClientId,
      scope,
    });
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: accessTokenLifetime,
        ext_expires_in: accessTokenLifetime,
        access_token: accessToken,
      },
    };
  };

  const server = await startLoopbackServer((request) => {
    const tokenPath = TOKEN_PATH.exec(request.path);
    if (request.method === 'POST' && tokenPath) return tokenEndpoint(request, tokenPath[1]);
    let response: LoopbackResponse;
    if (
      request.method === 'GET' &&
      (request.path === '/.well-known/openid-configuration' ||
        request.path === '/emulator/.well-known/openid-configuration')
    ) {
      response = { status: 200, body: openIdConfiguration() };
    } else if (request.method === 'GET' && request.path === '/keys') {
      response = { status: 200, body: jwks() };
    } else {
      response = {
        status: 404,
        body: { error: 'not_found', error_description: `${request.method} ${request.path}` },
      };
    }
    requests.push({ method: request.method, path: request.path, status: response.status });
    return response;
  });
  baseUrl = server.origin;

  const checkAccessToken = (token: string, audience: string = oauthScope): AccessTokenCheck => {
    const decoded = decodeJwt(token);
    if (!decoded) return { valid: false, reason: 'not a JWT' };
    const { header, claims, signingInput, signature } = decoded;
    if (header.alg !== 'RS256') return { valid: false, reason: `alg ${String(header.alg)}` };
    if (header.kid !== kid) return { valid: false, reason: `unknown kid ${String(header.kid)}` };
    if (!verify('RSA-SHA256', Buffer.from(signingInput), signingKey.publicKey, signature)) {
      return { valid: false, reason: 'bad signature' };
    }
    if (claims.iss !== accessTokenIssuer())
      return { valid: false, reason: `iss ${String(claims.iss)}` };
    if (claims.aud !== audience)
      return { valid: false, reason: `aud ${String(claims.aud)}, expected ${audience}` };
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_SECONDS < now) {
      return { valid: false, reason: 'expired' };
    }
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_SECONDS > now) {
      return { valid: false, reason: 'not yet valid' };
    }
    return { valid: true, claims };
  };

  return {
    baseUrl,
    openIdMetadataUrl: `${baseUrl}/.well-known/openid-configuration`,
    emulatorOpenIdMetadataUrl: `${baseUrl}/emulator/.well-known/openid-configuration`,
    jwksUri: `${baseUrl}/keys`,
    tokenUrl: `${baseUrl}/oauth2/v2.0/token`,
    channelIssuer,
    accessTokenIssuer: accessTokenIssuer(),
    oauthScope,
    kid,
    clientId,
    clientSecret,
    requests,
    signChannelToken(tokenOptions) {
      const now = Math.floor(Date.now() / 1000);
      const useForeignKey = tokenOptions.signWithForeignKey ?? false;
      if (useForeignKey)
        foreignKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const headerKid = tokenOptions.kid ?? (useForeignKey ? 'foreign-key' : kid);
      return signJwt(
        { alg: 'RS256', typ: 'JWT', kid: headerKid },
        {
          iss: tokenOptions.issuer ?? channelIssuer,
          aud: tokenOptions.audience,
          serviceurl: tokenOptions.serviceUrl,
          iat: now,
          nbf: now + (tokenOptions.notBeforeOffsetSeconds ?? 0),
          exp: now + (tokenOptions.expiresInSeconds ?? 3600),
          ...tokenOptions.extraClaims,
        },
        useForeignKey && foreignKey ? foreignKey : signingKey.privateKey,
      );
    },
    checkAccessToken,
    verifyAccessToken: (token, audience) => checkAccessToken(token, audience).valid,
    botAuthSettings(appId, appPassword, settingsOptions = {}) {
      const { tenantId } = settingsOptions;
      return {
        MicrosoftAppId: appId,
        MicrosoftAppPassword: appPassword,
        MicrosoftAppType: tenantId ? 'SingleTenant' : 'MultiTenant',
        ...(tenantId ? { MicrosoftAppTenantId: tenantId } : {}),
        ValidateAuthority: false,
        ToChannelFromBotLoginUrl: `${baseUrl}/${tenantId ?? 'botframework.com'}`,
        ToChannelFromBotOAuthScope: oauthScope,
        ToBotFromChannelTokenIssuer: channelIssuer,
        OAuthUrl: `${baseUrl}/user-token-service`,
        ToBotFromChannelOpenIdMetadataUrl: `${baseUrl}/.well-known/openid-configuration`,
        ToBotFromEmulatorOpenIdMetadataUrl: `${baseUrl}/emulator/.well-known/openid-configuration`,
        CallerId: 'urn:botframework:azure',
      };
    },
    stop: () => server.stop(),
  };
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function signJwt(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: KeyObject,
): string {
  const signingInput = `${base64UrlJson(header)}.${base64UrlJson(claims)}`;
  return `${signingInput}.${sign('RSA-SHA256', Buffer.from(signingInput), key).toString('base64url')}`;
}

interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
  readonly signingInput: string;
  readonly signature: Buffer;
}

function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, claims, signature] = parts as [string, string, string];
  const parse = (segment: string): Record<string, unknown> | undefined => {
    try {
      const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
      return typeof value === 'object' && value !== null
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };
  const decodedHeader = parse(header);
  const decodedClaims = parse(claims);
  if (!decodedHeader || !decodedClaims) return undefined;
  return {
    header: decodedHeader,
    claims: decodedClaims,
    signingInput: `${header}.${claims}`,
    signature: Buffer.from(signature, 'base64url'),
  };
}
