import type { AccessToken, TokenCredential } from '@azure/identity';
import type { Dispatcher } from 'undici';

export interface ClientCredentialsTokenOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  dispatcher?: Dispatcher;
  /** ROPC fields, used only by the demo to act as a seeded admin of the simulated tenant. */
  user?: { username: string; password: string };
}

/**
 * A TokenCredential for an Entra-style token endpoint at a custom URL (the Graph simulator).
 * @azure/identity would need NODE_EXTRA_CA_CERTS for the simulator's certificate, which
 * would loosen trust for the whole process.
 */
export function clientCredentialsToken(options: ClientCredentialsTokenOptions): TokenCredential {
  let cached: AccessToken | null = null;
  return {
    async getToken(scopes) {
      if (cached && cached.expiresOnTimestamp - Date.now() > 60_000) return cached;
      const form = new URLSearchParams({
        client_id: options.clientId,
        client_secret: options.clientSecret,
        scope: [scopes].flat().join(' '),
        ...(options.user
          ? {
              grant_type: 'password',
              username: options.user.username,
              password: options.user.password,
            }
          : { grant_type: 'client_credentials' }),
      });
      const response = await fetch(options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      } as RequestInit);
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      if (!response.ok || typeof body.access_token !== 'string') {
        throw new Error(`token request failed: ${response.status} ${String(body.error ?? '')}`);
      }
      cached = {
        token: body.access_token,
        expiresOnTimestamp: Date.now() + Number(body.expires_in ?? 3600) * 1000,
      };
      return cached;
    },
  };
}
