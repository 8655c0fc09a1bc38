import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { DeltaGeneration } from './groups-delta.js';
import type { SavedSubscription } from './subscription-registry.js';
import type { SavedDirectory } from './tenant-state.js';

/** The simulated tenant between runs, so a restarted demo carries on where it stopped. */
export interface SavedTenant {
  format: 'groupguard-simulated-tenant';
  version: 1;
  tenantId: string;
  /** Delta and skip tokens carry it; a token from another instance gets 410 Gone. */
  instanceId: string;
  /** The id generator's state, so ids go on without repeating. */
  ids: number;
  delta: DeltaGeneration;
  directory: SavedDirectory;
  subscriptions: SavedSubscription[];
}

export class SimulatedTenantFileError extends Error {
  override name = 'SimulatedTenantFileError';
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path} ${problem}`);
  }
}

const id = z.string().min(1);
const savedTenant = z.object({
  format: z.literal('groupguard-simulated-tenant'),
  version: z.literal(1),
  tenantId: id,
  instanceId: id,
  ids: z.number().int().nonnegative(),
  delta: z.object({
    epoch: z.number().int().nonnegative(),
    expiries: z.array(z.enum(['gone410', 'syncStateNotFound', 'resyncRequired'])),
  }),
  directory: z.object({
    users: z.array(z.looseObject({ id, displayName: z.string(), userPrincipalName: z.string() })),
    groups: z.array(
      z.looseObject({
        id,
        displayName: z.string(),
        mailNickname: z.string(),
        groupTypes: z.array(z.string()),
      }),
    ),
    members: z.record(z.string(), z.array(z.string())),
    changes: z.array(
      z.object({
        sequence: z.number().int().positive(),
        groupId: id,
        memberId: id,
        op: z.enum(['add', 'remove']),
        at: z.iso.datetime(),
      }),
    ),
    audits: z.array(z.looseObject({ id, activityDateTime: z.string() })),
  }),
  subscriptions: z.array(
    z.object({
      subscription: z.looseObject({
        id,
        expirationDateTime: z.iso.datetime(),
        notificationUrl: id,
      }),
      groupId: id.nullable(),
    }),
  ),
});

/** The saved tenant, or null when there is none yet; throws when the file cannot be used. */
export function readSimulatedTenant(path: string): SavedTenant | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new SimulatedTenantFileError(path, `cannot be read (${code ?? String(error)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SimulatedTenantFileError(path, 'is not JSON');
  }
  const parsed = savedTenant.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SimulatedTenantFileError(
      path,
      `is not a simulated tenant GroupGuard wrote (${issue?.path.join('.') || 'top level'}: ${issue?.message})`,
    );
  }
  return parsed.data as unknown as SavedTenant;
}

/** Temp file, fsync, rename: a crash leaves the old file or the new one, never half of one. */
export function writeSimulatedTenant(path: string, tenant: SavedTenant): void {
  const temp = `${path}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, JSON.stringify(tenant));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
