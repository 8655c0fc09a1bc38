import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { DATA_DIR_FILES, DataDirError, type Config, type Secrets } from '../config/config.js';
import type { Logger } from '../observability/logger.js';
import {
  SimulatedTenantFileError,
  simulatorConnection,
  startGraphSimulator,
  type GraphSimulator,
  type SimulatorConnection,
} from '../sim/graph-simulator.js';
import { seedTenant } from '../sim/seed-tenant.js';
import type { DemoTenant } from '../workflows/demo-tenant.js';
import type { Directory, TenantBinding } from '../workflows/ports/index.js';
import { retryWithBackoff } from '../workflows/retry-with-backoff.js';
import { clientCredentialsToken } from './client-credentials-token.js';
import { createGraphClient, createTrustingDispatcher } from './create-graph-client.js';
import { createGraphDemoTenant } from './graph-demo-tenant.js';
import { createGraphDirectory } from './graph-directory.js';
import { listGroupIds } from './list-group-ids.js';

/** GroupGuard's view of one tenant through Microsoft Graph (or the simulator playing it). */
export interface GraphConnection {
  directory: Directory;
  tenantId: string;
  /** Lower-case group ids whose removals open cases. */
  watchedGroupIds: string[];
  /** The simulated tenant as its admin acts on it; null in live mode. */
  demoTenant: DemoTenant | null;
  /** Started by this process (demo, tests), else null. */
  simulator: GraphSimulator | null;
}

/** The tenant the settings name: the live one, or the simulator's seeded tenant. */
export function graphTenant(config: Pick<Config, 'graph'>): TenantBinding {
  return config.graph.mode === 'live'
    ? { tenantId: config.graph.tenantId.toLowerCase(), simulated: false }
    : { tenantId: seedTenant.tenantId, simulated: true };
}

/**
 * The demo's simulator keeps its tenant in DATA_DIR, so a restart carries on where it stopped
 * (a re-seeded tenant would bring removed members back under open cases).
 */
async function startSimulator(port: number, dataDir: string, log: Logger): Promise<GraphSimulator> {
  const stateFile =
    dataDir === ':memory:' ? undefined : join(dataDir, DATA_DIR_FILES.simulatedTenant);
  try {
    return await startGraphSimulator({
      port,
      stateFile,
      log: (message, fields) => log.debug({ ...fields, component: 'graph-simulator' }, message),
    });
  } catch (error) {
    if (!(error instanceof SimulatedTenantFileError)) throw error;
    throw new DataDirError(
      `the simulated tenant ${resolve(error.path)} (in DATA_DIR) ${error.problem}. ` +
        'Move that file away to start the simulated tenant afresh (cases and decisions stay), or point DATA_DIR at another directory; nothing was deleted.',
    );
  }
}

function liveCredential(
  graph: Extract<Config['graph'], { mode: 'live' }>,
  secrets: Secrets,
): TokenCredential {
  switch (graph.credential.kind) {
    case 'secret':
      return new ClientSecretCredential(
        graph.tenantId,
        graph.clientId,
        secrets.graph.clientSecret ?? '',
      );
    case 'certificate':
      return new ClientCertificateCredential(
        graph.tenantId,
        graph.clientId,
        graph.credential.certificatePath,
      );
    case 'managed-identity':
      return new ManagedIdentityCredential({ clientId: graph.clientId });
  }
}

export async function connectGraph(
  config: Config,
  secrets: Secrets,
  log: Logger,
): Promise<GraphConnection> {
  if (config.graph.mode === 'live') {
    const client = createGraphClient(liveCredential(config.graph, secrets), {
      baseUrl: 'https://graph.microsoft.com',
    });
    return {
      directory: createGraphDirectory(client),
      tenantId: config.graph.tenantId,
      watchedGroupIds: config.graph.watchedGroupIds,
      demoTenant: null,
      simulator: null,
    };
  }
  const simulator = config.graph.connectionFile
    ? null
    : await startSimulator(config.graph.simulatorPort, config.dataDir, log);
  const connection: SimulatorConnection = simulator
    ? simulatorConnection(simulator)
    : (JSON.parse(readFileSync(config.graph.connectionFile ?? '', 'utf8')) as SimulatorConnection);
  const endpoint = { baseUrl: connection.url, ca: connection.ca };
  const credentials = {
    tokenUrl: connection.tokenUrl,
    clientId: connection.clientId,
    clientSecret: connection.clientSecret,
    dispatcher: createTrustingDispatcher(connection.ca),
  };
  const admin = seedTenant.users.find((u) => u.isAdmin);
  if (!admin) throw new Error('the seeded tenant has no admin');
  const adminToken = clientCredentialsToken({
    ...credentials,
    user: { username: admin.userPrincipalName, password: connection.adminPassword },
  });
  const client = createGraphClient(clientCredentialsToken(credentials), endpoint);
  return {
    directory: createGraphDirectory(client),
    tenantId: seedTenant.tenantId,
    // The simulated tenant watches every group it has.
    watchedGroupIds: await retryWithBackoff(
      'listing the simulated groups',
      () => listGroupIds(client),
      log,
    ),
    demoTenant: createGraphDemoTenant(createGraphClient(adminToken, endpoint), admin.displayName),
    simulator,
  };
}
