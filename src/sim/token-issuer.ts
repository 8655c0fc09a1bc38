import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { GraphApiError } from './graph-api-error.js';
import type { GraphExchange } from './graph-exchange.js';
import type { SimApp } from './seed-tenant.js';
import type { TenantState } from './tenant-state.js';

/** An app-only token carries the app's permissions (the `roles` claim); a user acts as themself. */
export type Principal =
  { kind: 'app'; roles: ReadonlySet<string> } | { kind: 'user'; userId: string };

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const TOKEN_LIFETIME_S = 3599;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Entra's v2.0 token endpoint for one tenant, issuing opaque tokens kept in memory. */
export class TokenIssuer {
  readonly clientSecret = randomBytes(24).toString('base64url');
  readonly adminPassword = randomBytes(18).toString('base64url');
  private readonly tokens = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly tenantId: string,
    private readonly domain: string,
    private readonly app: SimApp,
    private readonly state: TenantState,
    /** Granted to the app; a change applies to tokens issued afterwards, as consent does. */
    public appPermissions: ReadonlySet<string>,
  ) {}

  isTenant(value: string): boolean {
    const v = value.toLowerCase();
    return v === this.tenantId || v === this.domain;
  }

  openIdConfiguration(base: string): Record<string, unknown> {
    const root = `${base}/${this.tenantId}`;
    return {
      issuer: `${root}/v2.0`,
      authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
      token_endpoint: `${root}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${root}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${root}/oauth2/v2.0/logout`,
      jwks_uri: `${root}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: [
        'client_secret_post',
        'private_key_jwt',
        'client_secret_basic',
      ],
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'oid', 'tid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  /** Resolves the bearer token of a /v1.0 request or throws Graph's 401. */
  authenticate(authorization: string | undefined): Principal {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) {
      throw new GraphApiError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    }
    const entry = this.tokens.get(match[1]);
    if (!entry) {
      throw new GraphApiError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      );
    }
    if (entry.expiresAt <= Date.now()) {
      this.tokens.delete(match[1]);
      throw new GraphApiError(
        401,
        'InvalidAuthenticationToken',
        'Lifetime validation failed, the token is expired.',
      );
    }
    return entry.principal;
  }

  async handleTokenRequest(ex: GraphExchange, tenant: string): Promise<void> {
    const fail = (status: number, error: string, code: number, description: string): void => {
      const traceId = randomUUID();
      const correlationId = randomUUID();
      const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
      ex.sendPlainJson(status, {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
        error_codes: [code],
        timestamp,
        trace_id: traceId,
        correlation_id: correlationId,
        error_uri: `https://login.microsoftonline.com/error?code=${code}`,
      });
    };
    if (!this.isTenant(tenant)) {
      fail(
        400,
        'invalid_request',
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
      return;
    }
    const form = new URLSearchParams(await ex.readBody());
    const basic = /^Basic\s+(\S+)$/i.exec(ex.header('authorization') ?? '');
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const grantType = form.get('grant_type');
    if (!grantType) {
      fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'grant_type'.",
      );
      return;
    }
    if (grantType !== 'client_credentials' && grantType !== 'password') {
      fail(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${grantType}'.`,
      );
      return;
    }
    if (!clientId) {
      fail(
        400,
        'invalid_request',
        900144,
        "The request body must contain the following parameter: 'client_id'.",
      );
      return;
    }
    if (clientId.toLowerCase() !== this.app.clientId) {
      fail(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.domain}'.`,
      );
      return;
    }
    if (!sameSecret(clientSecret, this.clientSecret)) {
      fail(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${this.app.clientId}'.`,
      );
      return;
    }
    const scopes = (form.get('scope') ?? '').split(/\s+/).filter((s) => s.length > 0);
    const graphScopes = scopes.filter(
      (s) => !['openid', 'profile', 'offline_access', 'email'].includes(s),
    );
    if (graphScopes.length !== 1 || graphScopes[0]?.toLowerCase() !== GRAPH_SCOPE) {
      fail(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scopes.join(' ') || '(empty)'} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
      return;
    }
    let principal: Principal = { kind: 'app', roles: new Set(this.appPermissions) };
    if (grantType === 'password') {
      const user = this.state.findUser(form.get('username') ?? '');
      const matchesUpn =
        user?.userPrincipalName.toLowerCase() === (form.get('username') ?? '').toLowerCase();
      if (
        !user ||
        !matchesUpn ||
        !user.isAdmin ||
        !sameSecret(form.get('password') ?? '', this.adminPassword)
      ) {
        fail(
          400,
          'invalid_grant',
          50126,
          'Error validating credentials due to invalid username or password.',
        );
        return;
      }
      principal = { kind: 'user', userId: user.id };
    }
    const now = Date.now();
    for (const [token, entry] of this.tokens) if (entry.expiresAt <= now) this.tokens.delete(token);
    const accessToken = randomBytes(32).toString('base64url');
    this.tokens.set(accessToken, { principal, expiresAt: now + TOKEN_LIFETIME_S * 1000 });
    ex.sendPlainJson(200, {
      token_type: 'Bearer',
      ...(principal.kind === 'user' ? { scope: GRAPH_SCOPE } : {}),
      expires_in: TOKEN_LIFETIME_S,
      ext_expires_in: TOKEN_LIFETIME_S,
      access_token: accessToken,
    });
  }
}
