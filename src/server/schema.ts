import type { Database } from './db.ts';
import { SCALE_MIGRATION } from './schema-scale.ts';
import { SEARCH_MIGRATION } from './schema-search.ts';
import { SEARCH_TYPES_MIGRATION } from './schema-search-types.ts';
import { PUBLISH_COST_MIGRATION } from './schema-publish-cost.ts';
import { AUDIT_QUERY_MIGRATION, AUDIT_TIME_MIGRATION } from './schema-audit-query.ts';
import { DELEGATION_REVOKES_MIGRATION } from './schema-delegations.ts';

/**
 * The registry's schema, after the spec's §4, as numbered migrations. Every
 * instance applies what is missing at start-up, one at a time under an
 * advisory lock, so instances starting together do not race.
 */
export const MIGRATIONS: { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE registry_settings (
  key VARCHAR(64) PRIMARY KEY,
  value JSONB NOT NULL
);

CREATE TABLE users (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  username VARCHAR(64) UNIQUE NOT NULL,
  email VARCHAR(255),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT username_format CHECK (username ~ '^[a-z0-9][a-z0-9_-]{1,63}$')
);

CREATE TABLE api_tokens (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash CHAR(64) UNIQUE NOT NULL,
  name VARCHAR(64) NOT NULL,
  scopes VARCHAR(16)[] NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  last_used_at TIMESTAMPTZ,
  expires_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ
);
CREATE INDEX idx_api_tokens_user ON api_tokens(user_id);

CREATE TABLE packages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  scope VARCHAR(64) NOT NULL DEFAULT '',
  name VARCHAR(64) NOT NULL,
  description TEXT,
  author VARCHAR(255),
  license VARCHAR(64),
  repository VARCHAR(512),
  homepage VARCHAR(512),
  latest_version VARCHAR(64),
  downloads_total BIGINT NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT package_name_format CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,63}$'),
  CONSTRAINT package_scope_format CHECK (scope ~ '^$|^[a-z0-9][a-z0-9_-]{0,63}$'),
  UNIQUE (scope, name)
);
CREATE INDEX idx_packages_updated ON packages(updated_at DESC);

CREATE TABLE package_owners (
  package_id UUID NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role VARCHAR(16) NOT NULL DEFAULT 'owner',
  added_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (package_id, user_id)
);

CREATE TABLE package_keywords (
  package_id UUID NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  keyword VARCHAR(64) NOT NULL,
  PRIMARY KEY (package_id, keyword)
);

CREATE TABLE package_versions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  package_id UUID NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  version VARCHAR(64) NOT NULL,
  checksum_sha256 CHAR(64) NOT NULL,
  archive_size BIGINT NOT NULL,
  archive_key VARCHAR(128) NOT NULL,
  manifest_json JSONB NOT NULL,
  published_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  published_by UUID REFERENCES users(id),
  yanked BOOLEAN NOT NULL DEFAULT FALSE,
  yanked_at TIMESTAMPTZ,
  yanked_reason TEXT,
  downloads BIGINT NOT NULL DEFAULT 0,
  UNIQUE (package_id, version),
  CONSTRAINT version_format CHECK (version ~ '^\\d+\\.\\d+\\.\\d+(-[a-zA-Z0-9.-]+)?(\\+[a-zA-Z0-9.-]+)?$')
);
CREATE INDEX idx_versions_package ON package_versions(package_id);

-- The signature is stored with its version, in the same transaction (spec §5.3.2, §5.4.2).
CREATE TABLE version_signatures (
  version_id UUID NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
  type VARCHAR(16) NOT NULL CHECK (type IN ('sigstore', 'gpg')),
  bytes BYTEA NOT NULL,
  sha256 CHAR(64) NOT NULL,
  record JSONB NOT NULL,
  public_key TEXT,
  PRIMARY KEY (version_id, type)
);

CREATE TABLE dependencies (
  version_id UUID NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
  dependency_name VARCHAR(130) NOT NULL,
  version_constraint VARCHAR(64) NOT NULL,
  PRIMARY KEY (version_id, dependency_name)
);

CREATE TABLE artifacts (
  version_id UUID NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
  artifact_type VARCHAR(16) NOT NULL CHECK (artifact_type IN ('skill', 'agent', 'prompt', 'instruction')),
  name VARCHAR(64) NOT NULL,
  description TEXT,
  PRIMARY KEY (version_id, artifact_type, name)
);

CREATE TABLE dist_tags (
  package_id UUID NOT NULL REFERENCES packages(id) ON DELETE CASCADE,
  tag VARCHAR(64) NOT NULL,
  version VARCHAR(64) NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (package_id, tag)
);
`,
  },
  {
    // Registry attestations, the tamper-evident audit log, and approvals.
    version: 2,
    sql: `
ALTER TABLE package_versions ADD COLUMN attestation JSONB;
ALTER TABLE package_versions ADD COLUMN approval_status VARCHAR(16) NOT NULL DEFAULT 'approved';

CREATE TABLE audit_log (
  seq BIGINT PRIMARY KEY,
  event VARCHAR(32) NOT NULL,
  actor VARCHAR(255) NOT NULL,
  package VARCHAR(130) NOT NULL,
  version VARCHAR(64),
  timestamp VARCHAR(40) NOT NULL,
  metadata JSONB NOT NULL,
  prev_hash CHAR(64) NOT NULL,
  hash CHAR(64) NOT NULL
);
CREATE INDEX idx_audit_package ON audit_log(package);

-- One row: how long the log is and its last hash. Appending locks it, so the chain stays one line.
CREATE TABLE audit_head (
  id INT PRIMARY KEY CHECK (id = 1),
  size BIGINT NOT NULL,
  head_hash CHAR(64) NOT NULL
);
INSERT INTO audit_head (id, size, head_hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE approvals (
  version_id UUID NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
  approver VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL CHECK (status IN ('approved', 'rejected')),
  comment TEXT,
  document BYTEA NOT NULL,
  signature BYTEA NOT NULL,
  signature_type VARCHAR(16) NOT NULL CHECK (signature_type IN ('sigstore', 'gpg')),
  public_key TEXT,
  signer JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (version_id, approver)
);
`,
  },
  {
    // Accounts (spec §6: register, login, tokens of their own), eval results (§3.3.9), and
    // versions unique by SemVer precedence: 1.0.0+a and 1.0.0+b are one version.
    version: 3,
    sql: `
ALTER TABLE users ADD COLUMN password_hash VARCHAR(255);
ALTER TABLE users ADD COLUMN updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW();
CREATE UNIQUE INDEX idx_users_email ON users (lower(email));

ALTER TABLE api_tokens ADD COLUMN kind VARCHAR(16) NOT NULL DEFAULT 'api' CHECK (kind IN ('api', 'session'));

CREATE UNIQUE INDEX idx_versions_precedence ON package_versions (package_id, (split_part(version, '+', 1)));

CREATE TABLE eval_results (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  version_id UUID NOT NULL REFERENCES package_versions(id) ON DELETE CASCADE,
  eval_name VARCHAR(64) NOT NULL,
  status VARCHAR(16) NOT NULL CHECK (status IN ('passed', 'failed', 'error', 'skipped')),
  metrics JSONB NOT NULL,
  run_at TIMESTAMPTZ NOT NULL,
  runner_identity VARCHAR(255),
  environment JSONB,
  uploaded_by UUID REFERENCES users(id),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  UNIQUE (version_id, eval_name, run_at)
);
`,
  },
  {
    // Hardening (#25): rate-limit counters every instance shares, and scopes that belong to someone.
    version: 4,
    sql: `
-- One fixed-window counter per limited caller and kind of route; UNLOGGED: nothing to keep after a crash.
CREATE UNLOGGED TABLE rate_limit_counters (
  key VARCHAR(200) PRIMARY KEY,
  window_start BIGINT NOT NULL,
  hits INT NOT NULL
);

-- A scope (@name/…) belongs to its members: the first publisher into it, and whoever its owners add.
CREATE TABLE scopes (
  name VARCHAR(64) PRIMARY KEY,
  created_by UUID REFERENCES users(id) ON DELETE SET NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE TABLE scope_members (
  scope VARCHAR(64) NOT NULL REFERENCES scopes(name) ON DELETE CASCADE,
  user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role VARCHAR(16) NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
  added_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (scope, user_id)
);
CREATE INDEX idx_scope_members_user ON scope_members(user_id);

-- Scopes in use already belong to the owners of their packages.
INSERT INTO scopes (name) SELECT DISTINCT scope FROM packages WHERE scope <> '';
INSERT INTO scope_members (scope, user_id, role)
  SELECT DISTINCT p.scope, o.user_id, 'owner' FROM packages p JOIN package_owners o ON o.package_id = p.id WHERE p.scope <> '';
`,
  },
  {
    // Several signatures per version (the n-th of a kind at position n), and signed delegations (issue #23).
    version: 5,
    sql: `
ALTER TABLE version_signatures DROP CONSTRAINT version_signatures_pkey;
ALTER TABLE version_signatures ADD COLUMN position INT NOT NULL DEFAULT 1;
ALTER TABLE version_signatures ADD COLUMN added_by UUID REFERENCES users(id);
ALTER TABLE version_signatures ADD COLUMN added_at TIMESTAMPTZ NOT NULL DEFAULT NOW();
ALTER TABLE version_signatures ADD PRIMARY KEY (version_id, type, position);
CREATE UNIQUE INDEX idx_version_signatures_sha ON version_signatures(version_id, sha256);

CREATE TABLE delegations (
  name CHAR(69) PRIMARY KEY,
  file BYTEA NOT NULL,
  kind VARCHAR(16) NOT NULL CHECK (kind IN ('delegation', 'revocation')),
  added_by UUID REFERENCES users(id),
  added_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
`,
  },
  // Issue #28: the audit log as an RFC 6962 Merkle tree (each entry's hash is a leaf), read paths
  // that scale (a trigram index for search, a notification per changed package for the caches of
  // every instance), and download counts written in batches. Existing logs get their tree here.
  { version: 6, sql: SCALE_MIGRATION },
  // Issue #28: search by words (a tsvector with a GIN index) and by a name's prefix (a btree), in place of trigrams.
  { version: 7, sql: SEARCH_MIGRATION },
  { version: 8, sql: SEARCH_TYPES_MIGRATION }, // issue #28: a package's artifact types, in its row and indexes
  { version: 9, sql: PUBLISH_COST_MIGRATION }, // issue #28: what a publish costs PostgreSQL, cut (see the migration)
  { version: 10, sql: AUDIT_QUERY_MIGRATION }, // the audit log's query in index order, whatever its length
  { version: 11, sql: AUDIT_TIME_MIGRATION }, // a time range read as a span of sequence numbers
  { version: 12, sql: DELEGATION_REVOKES_MIGRATION }, // one revocation a delegation, its signer's
];

/** Applies the migrations the database does not have yet; returns the version it is at. */
export async function migrate(db: Database): Promise<number> {
  // Under the same lock: two instances creating the table at once collide in the catalogue
  // (CREATE TABLE IF NOT EXISTS is not safe against a concurrent one).
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(727170)');
    await tx.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT NOW())',
    );
  });
  for (const migration of MIGRATIONS) {
    await db.transaction(async (tx) => {
      // One instance migrates; another starting at the same moment waits here, then finds it done.
      await tx.query('SELECT pg_advisory_xact_lock(727170)');
      const done = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rows.length > 0) return;
      for (const statement of statements(migration.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [migration.version]);
    });
  }
  const { rows } = await db.query<{ version: number }>('SELECT MAX(version) AS version FROM schema_migrations');
  return Number(rows[0]?.version ?? 0);
}

/** A migration's statements, one by one (a transaction's query takes one). */
function statements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean);
}
