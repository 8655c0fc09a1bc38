import type { Case, CardRef, GroupProfile } from '../core/case.js';
import { GENESIS_HASH, hashDecisionRecord } from '../workflows/decision-log.js';
import type {
  AlertChannel,
  AlertChannelBinding,
  CaseUpdate,
  DecisionLogEntry,
  DecisionRecord,
  GroupSyncCommit,
  InboxItem,
  OutboxItem,
  Store,
  SubscriptionRecord,
  WatchedGroup,
} from '../workflows/ports/index.js';
import { migrations } from './migrations.js';
import type { SqlClient, SqlDriver } from './sql-driver.js';

type Row = Record<string, unknown>;

const iso = (value: unknown): string =>
  value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();

function toCase(row: Row): Case {
  return {
    id: Number(row.id),
    groupId: String(row.group_id),
    groupName: String(row.group_name),
    memberId: String(row.member_id),
    memberName: String(row.member_name),
    removedAt: iso(row.removed_at),
    memberSeenAt: row.member_seen_at ? iso(row.member_seen_at) : null,
    foundBy: row.found_by as Case['foundBy'],
    status: row.status as Case['status'],
    version: Number(row.version),
    restoreBlockedReason: (row.restore_blocked_reason as string | null) ?? null,
    groupIsRoleAssignable: row.group_role_assignable === true,
    actor: (row.actor as Case['actor']) ?? null,
    restoreRequest: (row.restore_request as Case['restoreRequest']) ?? null,
    decision: (row.decision as Case['decision']) ?? null,
    lastError: (row.last_error as string | null) ?? null,
    card: (row.card as CardRef | null) ?? null,
  };
}

function toDecisionRecord(row: Row): DecisionRecord {
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    seq: Number(row.seq),
    caseId: Number(row.case_id),
    verb: row.verb as DecisionRecord['verb'],
    approverId: String(row.approver_id),
    approverName: String(row.approver_name),
    at: String(row.at),
    reason: text(row.reason),
    caseVersion: Number(row.case_version),
    graphRequestId: text(row.graph_request_id),
    result: row.result as DecisionRecord['result'],
    detail: text(row.detail),
    prevHash: String(row.prev_hash),
    hash: String(row.hash),
  };
}

/** Chains one record onto the log; the table lock makes concurrent appends take turns. */
async function appendDecisionRecord(
  tx: SqlClient,
  entry: DecisionLogEntry,
): Promise<DecisionRecord> {
  await tx.query('LOCK TABLE decision_log IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await tx.query<{ seq: number; hash: string }>(
    'SELECT seq, hash FROM decision_log ORDER BY seq DESC LIMIT 1',
  );
  const head = rows[0];
  const chained = {
    ...entry,
    seq: head ? Number(head.seq) + 1 : 1,
    prevHash: head ? String(head.hash) : GENESIS_HASH,
  };
  const record: DecisionRecord = { ...chained, hash: hashDecisionRecord(chained) };
  await tx.query(
    `INSERT INTO decision_log (seq, case_id, verb, approver_id, approver_name, at, reason, case_version,
       graph_request_id, result, detail, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      record.seq,
      record.caseId,
      record.verb,
      record.approverId,
      record.approverName,
      record.at,
      record.reason,
      record.caseVersion,
      record.graphRequestId,
      record.result,
      record.detail,
      record.prevHash,
      record.hash,
    ],
  );
  return record;
}

export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.transaction(async (tx) => {
    // Replicas starting together on a fresh database: one migrates, the others wait for it.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('groupguard:migrate'))");
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migration (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const { rows } = await tx.query<{ version: number }>('SELECT version FROM schema_migration');
    const applied = new Set(rows.map((row) => Number(row.version)));
    for (const [index, sql] of migrations.entries()) {
      const version = index + 1;
      if (applied.has(version)) continue;
      for (const statement of sql.split(/;\s*$/m).filter((s) => s.trim()))
        await tx.query(statement);
      await tx.query('INSERT INTO schema_migration (version) VALUES ($1)', [version]);
    }
  });
}

export async function createSqlStore(driver: SqlDriver): Promise<Store> {
  await migrate(driver);

  const enqueueCardSync = (tx: SqlClient, caseId: number, version: number) =>
    tx.query(
      `INSERT INTO outbox (case_id, case_version) VALUES ($1, $2)
       ON CONFLICT (case_id) DO UPDATE SET case_version = GREATEST(outbox.case_version, EXCLUDED.case_version),
         next_attempt_at = now(), attempts = 0, stopped_at = NULL`,
      [caseId, version],
    );

  const getAlertChannelBinding = async (): Promise<AlertChannelBinding> => {
    const { rows } = await driver.query('SELECT * FROM alert_channel WHERE id = 1');
    const row = rows[0];
    if (!row) return { status: 'unset' };
    const channel = {
      serviceUrl: String(row.service_url),
      tenantId: String(row.tenant_id),
      teamId: String(row.team_id),
      channelId: String(row.channel_id),
    };
    if (row.unbound_at) {
      return {
        status: 'unbound',
        channel,
        since: new Date(row.unbound_at as string).toISOString(),
      };
    }
    const broken =
      row.broken_reason == null
        ? {}
        : {
            broken: {
              reason: String(row.broken_reason),
              since: new Date(row.broken_at as string).toISOString(),
            },
          };
    return { status: 'bound', channel: { ...channel, ...broken } };
  };

  return {
    ping: async () => {
      await driver.query('SELECT 1');
    },
    close: () => driver.close(),
    withLock: (key, wait, fn) => driver.withLock(key, wait, fn),

    getAlertChannel: async () => {
      const binding = await getAlertChannelBinding();
      return binding.status === 'bound' ? binding.channel : null;
    },
    getAlertChannelBinding,
    unbindAlertChannel: async (teamId) => {
      const { rows } = await driver.query(
        `UPDATE alert_channel SET unbound_at = now(), updated_at = now()
         WHERE team_id = $1 AND unbound_at IS NULL RETURNING id`,
        [teamId],
      );
      return rows.length > 0;
    },
    claimAlertChannel: (channel: AlertChannel) =>
      driver.transaction(async (tx) => {
        const { rows } = await tx.query(
          'SELECT team_id, channel_id, broken_reason, unbound_at FROM alert_channel WHERE id = 1 FOR UPDATE',
        );
        const bound = rows[0];
        if (!bound) {
          // Two replicas binding at once: the first insert wins.
          const inserted = await tx.query(
            `INSERT INTO alert_channel (id, service_url, tenant_id, team_id, channel_id) VALUES (1, $1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING RETURNING id`,
            [channel.serviceUrl, channel.tenantId, channel.teamId, channel.channelId],
          );
          return inserted.rows.length > 0 ? 'bound' : 'taken';
        }
        // A broken or unbound channel waits for its own team, in its old channel: a new install never takes it.
        const left = bound.broken_reason != null || bound.unbound_at != null;
        if (bound.team_id !== channel.teamId) return 'taken';
        if (bound.channel_id !== channel.channelId && !left) return 'taken';
        await tx.query(
          `UPDATE alert_channel SET service_url = $1, broken_reason = NULL, broken_at = NULL,
             unbound_at = NULL, updated_at = now() WHERE id = 1`,
          [channel.serviceUrl],
        );
        return left ? 'bound' : 'refreshed';
      }),
    setAlertChannel: async (channel: AlertChannel) => {
      await driver.query(
        `INSERT INTO alert_channel (id, service_url, tenant_id, team_id, channel_id) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET service_url = EXCLUDED.service_url, tenant_id = EXCLUDED.tenant_id,
           team_id = EXCLUDED.team_id, channel_id = EXCLUDED.channel_id, unbound_at = NULL,
           broken_reason = NULL, broken_at = NULL, updated_at = now()`,
        [channel.serviceUrl, channel.tenantId, channel.teamId, channel.channelId],
      );
    },
    markAlertChannelBroken: async (channel, reason) => {
      await driver.query(
        `UPDATE alert_channel SET broken_reason = $3, broken_at = now()
         WHERE id = 1 AND team_id = $1 AND channel_id = $2 AND broken_reason IS NULL`,
        [channel.teamId, channel.channelId, reason.slice(0, 500)],
      );
    },

    bindTenant: async (tenant) => {
      // Of two replicas binding a fresh store at once, the first insert wins for both.
      await driver.query(
        `INSERT INTO tenant_binding (id, tenant_id, simulated) VALUES (1, $1, $2)
         ON CONFLICT (id) DO NOTHING`,
        [tenant.tenantId.toLowerCase(), tenant.simulated],
      );
      const { rows } = await driver.query<{ tenant_id: string; simulated: boolean }>(
        'SELECT tenant_id, simulated FROM tenant_binding WHERE id = 1',
      );
      const row = rows[0];
      if (!row) throw new Error('tenant binding vanished after it was written');
      return { tenantId: row.tenant_id, simulated: row.simulated };
    },

    getSubscription: async () => {
      const { rows } = await driver.query('SELECT * FROM graph_subscription WHERE id = 1');
      const row = rows[0];
      return row
        ? {
            id: String(row.subscription_id),
            clientState: String(row.client_state),
            resource: String(row.resource),
            expiresAt: iso(row.expires_at),
          }
        : null;
    },
    saveSubscription: async (s: SubscriptionRecord) => {
      await driver.query(
        `INSERT INTO graph_subscription (id, subscription_id, client_state, resource, expires_at) VALUES (1, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET subscription_id = $1, client_state = $2, resource = $3, expires_at = $4`,
        [s.id, s.clientState, s.resource, s.expiresAt],
      );
    },

    enqueueInbox: async (items) => {
      if (items.length === 0) return 0;
      await driver.query(
        `INSERT INTO inbox (subscription_id, group_id)
         SELECT * FROM unnest($1::text[], $2::text[])`,
        [items.map((i) => i.subscriptionId), items.map((i) => i.groupId)],
      );
      return items.length;
    },
    claimInbox: async (limit, leaseMs) => {
      const { rows } = await driver.query(
        `UPDATE inbox SET claimed_until = now() + ($2 * interval '1 millisecond'), attempts = attempts + 1
         WHERE id IN (SELECT id FROM inbox WHERE claimed_until IS NULL OR claimed_until < now()
                      ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING *`,
        [limit, leaseMs],
      );
      return rows.map((row): InboxItem => ({
        id: Number(row.id),
        subscriptionId: String(row.subscription_id),
        groupId: String(row.group_id),
        receivedAt: iso(row.received_at),
        attempts: Number(row.attempts),
      }));
    },
    countInbox: async () => {
      const { rows } = await driver.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox');
      return Number(rows[0]?.n ?? 0);
    },
    releaseInbox: async (ids, delayMs) => {
      if (ids.length === 0) return;
      await driver.query(
        `UPDATE inbox SET claimed_until = now() + ($2 * interval '1 millisecond') WHERE id = ANY($1::bigint[])`,
        [ids, delayMs],
      );
    },
    deleteInbox: async (ids) => {
      if (ids.length > 0)
        await driver.query('DELETE FROM inbox WHERE id = ANY($1::bigint[])', [ids]);
    },

    getWatchedGroup: async (groupId): Promise<WatchedGroup | null> => {
      const { rows } = await driver.query('SELECT * FROM watched_group WHERE group_id = $1', [
        groupId,
      ]);
      const row = rows[0];
      if (!row) return null;
      const members = await driver.query<{ member_id: string }>(
        'SELECT member_id FROM group_member WHERE group_id = $1',
        [groupId],
      );
      return {
        profile: row.profile as GroupProfile,
        deltaLink: (row.delta_link as string | null) ?? null,
        syncedAt: iso(row.synced_at),
        members: new Set(members.rows.map((m) => m.member_id)),
      };
    },
    commitGroupSync: (commit: GroupSyncCommit) =>
      driver.transaction(async (tx) => {
        const current = await tx.query<{ delta_link: string | null }>(
          'SELECT delta_link FROM watched_group WHERE group_id = $1 FOR UPDATE',
          [commit.groupId],
        );
        const stored = current.rows[0];
        if (
          stored
            ? stored.delta_link !== commit.expectedDeltaLink
            : commit.expectedDeltaLink !== null
        ) {
          return null;
        }
        if (stored) {
          await tx.query(
            'UPDATE watched_group SET profile = $2, delta_link = $3, synced_at = now() WHERE group_id = $1',
            [commit.groupId, JSON.stringify(commit.profile), commit.newDeltaLink],
          );
        } else {
          // No row to lock yet: of two first syncs, the insert decides which one counts.
          const inserted = await tx.query(
            `INSERT INTO watched_group (group_id, profile, delta_link) VALUES ($1, $2, $3)
             ON CONFLICT (group_id) DO NOTHING RETURNING group_id`,
            [commit.groupId, JSON.stringify(commit.profile), commit.newDeltaLink],
          );
          if (inserted.rows.length === 0) return null;
        }
        if (commit.removed.length > 0) {
          await tx.query(
            'DELETE FROM group_member WHERE group_id = $1 AND member_id = ANY($2::text[])',
            [commit.groupId, commit.removed],
          );
        }
        if (commit.added.length > 0) {
          await tx.query(
            `INSERT INTO group_member (group_id, member_id) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`,
            [commit.groupId, commit.added],
          );
        }
        const opened: Case[] = [];
        for (const c of commit.cases) {
          const { rows } = await tx.query(
            `INSERT INTO gg_case (group_id, group_name, member_id, member_name, removed_at, found_by, status,
               restore_blocked_reason, group_role_assignable, actor, member_seen_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10) RETURNING *`,
            [
              c.groupId,
              c.groupName,
              c.memberId,
              c.memberName,
              c.removedAt,
              c.foundBy,
              c.restoreBlockedReason,
              c.groupIsRoleAssignable,
              c.actor ? JSON.stringify(c.actor) : null,
              c.memberSeenAt,
            ],
          );
          const created = toCase(rows[0] as Row);
          await enqueueCardSync(tx, created.id, created.version);
          opened.push(created);
        }
        return opened;
      }),

    getCase: async (id) => {
      const { rows } = await driver.query('SELECT * FROM gg_case WHERE id = $1', [id]);
      return rows[0] ? toCase(rows[0]) : null;
    },
    listCases: async ({ status, limit }) => {
      const { rows } = await driver.query(
        'SELECT * FROM gg_case WHERE ($1::text IS NULL OR status = $1) ORDER BY id DESC LIMIT $2',
        [status ?? null, limit],
      );
      return rows.map(toCase);
    },
    updateCase: (id, expectedVersion, update: CaseUpdate) =>
      driver.transaction(async (tx) => {
        const json = (value: unknown) => (value ? JSON.stringify(value) : null);
        const { rows } = await tx.query(
          `UPDATE gg_case SET status = $3, decision = $4, last_error = $5, version = version + 1,
             restore_request = CASE WHEN $6 THEN $7::jsonb ELSE restore_request END,
             actor = CASE WHEN $8 THEN $9::jsonb ELSE actor END
           WHERE id = $1 AND version = $2 RETURNING *`,
          [
            id,
            expectedVersion,
            update.status,
            json(update.decision),
            update.lastError,
            update.restoreRequest !== undefined,
            json(update.restoreRequest),
            update.actor !== undefined,
            json(update.actor),
          ],
        );
        if (!rows[0]) return null;
        const updated = toCase(rows[0]);
        await enqueueCardSync(tx, updated.id, updated.version);
        if (update.log) {
          await appendDecisionRecord(tx, { ...update.log, caseVersion: updated.version });
        }
        return updated;
      }),

    appendDecisionLog: (entry) => driver.transaction((tx) => appendDecisionRecord(tx, entry)),
    readDecisionLog: async (afterSeq, limit) => {
      const { rows } = await driver.query(
        'SELECT * FROM decision_log WHERE seq > $1 ORDER BY seq LIMIT $2',
        [afterSeq, limit],
      );
      return rows.map(toDecisionRecord);
    },
    readCaseDecisions: async (caseId) => {
      const { rows } = await driver.query(
        'SELECT * FROM decision_log WHERE case_id = $1 ORDER BY seq',
        [caseId],
      );
      return rows.map(toDecisionRecord);
    },

    recordTeamsUser: async (user) => {
      await driver.query(
        `INSERT INTO teams_user (aad_object_id, mri, name) VALUES ($1, $2, $3)
         ON CONFLICT (aad_object_id) DO UPDATE SET mri = $2, name = $3, last_seen_at = now()`,
        [user.aadObjectId.toLowerCase(), user.mri, user.name],
      );
    },
    noteApprover: async (aadObjectId, isApprover) => {
      await driver.query(
        'UPDATE teams_user SET is_approver = $2, approver_checked_at = now() WHERE aad_object_id = $1',
        [aadObjectId.toLowerCase(), isApprover],
      );
    },
    listCardAudience: async (limit) => {
      const { rows } = await driver.query<{ mri: string }>(
        `SELECT mri FROM teams_user ORDER BY (is_approver IS TRUE) DESC, last_seen_at DESC, aad_object_id
         LIMIT $1`,
        [limit],
      );
      return rows.map((row) => row.mri);
    },

    claimOutbox: async (limit, leaseMs): Promise<OutboxItem[]> => {
      const { rows } = await driver.query(
        `UPDATE outbox SET leased_until = now() + ($2 * interval '1 millisecond'), attempts = attempts + 1
         WHERE case_id IN (SELECT case_id FROM outbox
                           WHERE next_attempt_at <= now() AND stopped_at IS NULL
                             AND (leased_until IS NULL OR leased_until < now())
                           ORDER BY case_id LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING case_id, attempts`,
        [limit, leaseMs],
      );
      return rows.map((row) => ({ caseId: Number(row.case_id), attempts: Number(row.attempts) }));
    },
    completeCardSync: (caseId, renderedVersion, card) =>
      driver.transaction(async (tx) => {
        if (card) {
          await tx.query('UPDATE gg_case SET card = $2 WHERE id = $1 AND card IS NULL', [
            caseId,
            JSON.stringify(card),
          ]);
        }
        await tx.query('DELETE FROM outbox WHERE case_id = $1 AND case_version <= $2', [
          caseId,
          renderedVersion,
        ]);
        // A decision made while the card was in flight still needs its update.
        await tx.query(
          'UPDATE outbox SET leased_until = NULL, next_attempt_at = now() WHERE case_id = $1',
          [caseId],
        );
      }),
    retryOutbox: async (caseId, delayMs, error) => {
      await driver.query(
        `UPDATE outbox SET leased_until = NULL, next_attempt_at = now() + ($2 * interval '1 millisecond'), last_error = $3
         WHERE case_id = $1`,
        [caseId, delayMs, error.slice(0, 500)],
      );
    },
    stopOutbox: async (caseId, reason) => {
      await driver.query(
        `UPDATE outbox SET leased_until = NULL, stopped_at = now(), last_error = $2 WHERE case_id = $1`,
        [caseId, reason.slice(0, 500)],
      );
    },
    listStoppedOutbox: async (limit) => {
      const { rows } = await driver.query(
        `SELECT case_id, last_error, stopped_at FROM outbox WHERE stopped_at IS NOT NULL
         ORDER BY stopped_at DESC, case_id DESC LIMIT $1`,
        [limit],
      );
      return rows.map((row) => ({
        caseId: Number(row.case_id),
        reason: String(row.last_error ?? ''),
        stoppedAt: new Date(row.stopped_at as string).toISOString(),
      }));
    },
  };
}
