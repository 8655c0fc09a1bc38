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
];
