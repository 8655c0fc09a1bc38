import type { TokenCredential } from '@azure/identity';
import { Client } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import { Agent } from 'undici';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

export interface GraphEndpoint {
  /** Base URL without version, e.g. https://graph.microsoft.com */
  baseUrl: string;
  /** Extra CA trusted by this client only (the simulator's certificate); nothing else is loosened. */
  ca?: string;
}

export function createTrustingDispatcher(ca: string): Agent {
  return new Agent({ connect: { ca } });
}

export function createGraphClient(credential: TokenCredential, endpoint: GraphEndpoint): Client {
  const host = new URL(endpoint.baseUrl).hostname;
  return Client.initWithMiddleware({
    authProvider: new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] }),
    baseUrl: `${endpoint.baseUrl.replace(/\/+$/, '')}/`,
    defaultVersion: 'v1.0',
    customHosts: new Set([host]),
    ...(endpoint.ca
      ? { fetchOptions: { dispatcher: createTrustingDispatcher(endpoint.ca) } as RequestInit }
      : {}),
  });
}
