/** Append only: a released migration is never edited, a change is a new entry. */
export const migrations: string[] = [
  `
  CREATE TABLE alert_channel (
    id int PRIMARY KEY CHECK (id = 1),
    service_url text NOT NULL,
    tenant_id text NOT NULL,
    team_id text NOT NULL,
    channel_id text NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE graph_subscription (
    id int PRIMARY KEY CHECK (id = 1),
    subscription_id text NOT NULL,
    client_state text NOT NULL,
    resource text NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE TABLE inbox (
    id bigserial PRIMARY KEY,
    subscription_id text NOT NULL,
    group_id text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz
  );
  CREATE TABLE watched_group (
    group_id text PRIMARY KEY,
    profile jsonb NOT NULL,
    delta_link text,
    synced_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE group_member (
    group_id text NOT NULL REFERENCES watched_group (group_id),
    member_id text NOT NULL,
    PRIMARY KEY (group_id, member_id)
  );
  CREATE TABLE gg_case (
    id bigserial PRIMARY KEY,
    group_id text NOT NULL,
    group_name text NOT NULL,
    member_id text NOT NULL,
    member_name text NOT NULL,
    removed_at timestamptz NOT NULL,
    found_by text NOT NULL,
    status text NOT NULL,
    version int NOT NULL DEFAULT 1,
    restore_blocked_reason text,
    decision jsonb,
    last_error text,
    card jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX gg_case_status ON gg_case (status, id);
  CREATE TABLE outbox (
    case_id bigint PRIMARY KEY REFERENCES gg_case (id),
    case_version int NOT NULL,
    attempts int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error text
  );
  `,
  `
  ALTER TABLE gg_case ADD COLUMN group_role_assignable boolean NOT NULL DEFAULT false;
  ALTER TABLE gg_case ADD COLUMN actor jsonb;
  ALTER TABLE gg_case ADD COLUMN restore_request jsonb;
  CREATE TABLE teams_user (
    aad_object_id text PRIMARY KEY,
    mri text NOT NULL,
    name text NOT NULL,
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    is_approver boolean,
    approver_checked_at timestamptz
  );
  CREATE INDEX teams_user_audience ON teams_user ((is_approver IS TRUE), last_seen_at);
  CREATE TABLE decision_log (
    seq bigint PRIMARY KEY,
    case_id bigint NOT NULL,
    verb text NOT NULL,
    approver_id text NOT NULL,
    approver_name text NOT NULL,
    at text NOT NULL,
    reason text,
    case_version int NOT NULL,
    graph_request_id text,
    result text NOT NULL,
    detail text,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE INDEX decision_log_case ON decision_log (case_id, seq);
  CREATE FUNCTION decision_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'decision_log is append-only'; END $$;
  CREATE TRIGGER decision_log_no_change BEFORE UPDATE OR DELETE ON decision_log FOR EACH ROW EXECUTE FUNCTION decision_log_append_only();
  CREATE TRIGGER decision_log_no_truncate BEFORE TRUNCATE ON decision_log FOR EACH STATEMENT EXECUTE FUNCTION decision_log_append_only();
  `,
  `
  ALTER TABLE outbox ADD COLUMN leased_until timestamptz;
  `,
  `
  ALTER TABLE gg_case ADD COLUMN member_seen_at timestamptz;
  `,
  `
  CREATE TABLE tenant_binding (
    id int PRIMARY KEY CHECK (id = 1),
    tenant_id text NOT NULL,
    simulated boolean NOT NULL,
    bound_at timestamptz NOT NULL DEFAULT now()
  );
  `,
  `
  ALTER TABLE outbox ADD COLUMN stopped_at timestamptz;
  ALTER TABLE alert_channel ADD COLUMN broken_reason text;
  ALTER TABLE alert_channel ADD COLUMN broken_at timestamptz;
  ALTER TABLE inbox ADD COLUMN attempts int NOT NULL DEFAULT 0;
  `,
  `
  ALTER TABLE alert_channel ADD COLUMN unbound_at timestamptz;
  `,
];
