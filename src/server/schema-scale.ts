/**
 * Migration 4 (issue #28), kept apart from schema.ts so that file stays a
 * list: the audit log's Merkle tree, the trigram search index, and the
 * change notifications the read caches of every instance listen to.
 *
 * The migration runner splits on a semicolon at the end of a line, so every
 * PL/pgSQL body below is written on one line.
 */

/** The deepest level a tree of up to 2^62 entries has: one set-based backfill statement per level. */
const LEVELS = 62;

const backfillLevels = Array.from(
  { length: LEVELS },
  (_, i) => `INSERT INTO audit_nodes (level, idx, hash)
  SELECT ${i + 1}, l.idx / 2, sha256('\\x01'::bytea || l.hash || r.hash)
    FROM audit_nodes l JOIN audit_nodes r ON r.level = l.level AND r.idx = l.idx + 1
   WHERE l.level = ${i} AND l.idx % 2 = 0;`,
).join('\n');

/** Builds the tree's nodes from the entries of a log that has none (the root and frontier follow from them). */
export const TREE_BACKFILL = `INSERT INTO audit_nodes (level, idx, hash) SELECT 0, seq - 1, sha256('\\x00'::bytea || decode(hash, 'hex')) FROM audit_log;
${backfillLevels}`;

export const SCALE_MIGRATION = `
-- The hash of every perfect subtree of the log's RFC 6962 tree (level L holds 2^L entries, the
-- L-th level's idx-th): written as entries are appended, so any root or proof is O(log n) reads.
CREATE TABLE audit_nodes (
  level SMALLINT NOT NULL,
  idx BIGINT NOT NULL,
  hash BYTEA NOT NULL,
  PRIMARY KEY (level, idx)
);
-- The tree's root at the head's size, and its frontier (the perfect subtrees of that size, largest
-- first, concatenated): an append reads nothing more than the head row it already locks.
ALTER TABLE audit_head ADD COLUMN root BYTEA;
ALTER TABLE audit_head ADD COLUMN frontier BYTEA;

-- A log written before the tree: its leaves (each entry's hash is the leaf's data), then each level.
${TREE_BACKFILL}

-- Search (GET /packages?q=): a trigram index over what a query matches, not a scan of every row.
DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; EXCEPTION WHEN OTHERS THEN RAISE NOTICE 'pg_trgm is not available: search scans'; END $$;
ALTER TABLE packages ADD COLUMN search_text TEXT GENERATED ALWAYS AS (lower((CASE WHEN scope = '' THEN name ELSE '@' || scope || '/' || name END) || ' ' || coalesce(description, '') || ' ' || coalesce(author, ''))) STORED;
DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN EXECUTE 'CREATE INDEX idx_packages_search_trgm ON packages USING gin (search_text gin_trgm_ops)'; EXECUTE 'CREATE INDEX idx_keywords_trgm ON package_keywords USING gin (keyword gin_trgm_ops)'; END IF; END $$;
CREATE INDEX idx_artifacts_type ON artifacts (artifact_type, version_id);

-- Every change to what a package's or a version's metadata shows, by anyone (a route, an
-- operator's SQL), tells every instance's cache which package changed (by name), when it commits.
-- Download counts are not a change of metadata.
CREATE FUNCTION aam_package_changed() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE r RECORD; pid UUID; pname TEXT; BEGIN IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF; IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'packages' AND (to_jsonb(OLD) - 'downloads_total') = (to_jsonb(NEW) - 'downloads_total') THEN RETURN NULL; END IF; IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'package_versions' AND (to_jsonb(OLD) - 'downloads') = (to_jsonb(NEW) - 'downloads') THEN RETURN NULL; END IF; IF TG_TABLE_NAME = 'packages' THEN pid := r.id; ELSIF TG_TABLE_NAME IN ('package_versions', 'dist_tags', 'package_owners', 'package_keywords') THEN pid := r.package_id; ELSE SELECT package_id INTO pid FROM package_versions WHERE id = r.version_id; END IF; IF TG_TABLE_NAME = 'packages' THEN pname := CASE WHEN r.scope = '' THEN r.name ELSE '@' || r.scope || '/' || r.name END; ELSIF pid IS NOT NULL THEN SELECT CASE WHEN p.scope = '' THEN p.name ELSE '@' || p.scope || '/' || p.name END INTO pname FROM packages p WHERE p.id = pid; END IF; IF pname IS NOT NULL THEN PERFORM pg_notify('aam_package_changed', pname); END IF; RETURN NULL; END $$;
CREATE TRIGGER packages_changed AFTER INSERT OR UPDATE OR DELETE ON packages FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER versions_changed AFTER INSERT OR UPDATE OR DELETE ON package_versions FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER tags_changed AFTER INSERT OR UPDATE OR DELETE ON dist_tags FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER owners_changed AFTER INSERT OR UPDATE OR DELETE ON package_owners FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER keywords_changed AFTER INSERT OR UPDATE OR DELETE ON package_keywords FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER signatures_changed AFTER INSERT OR UPDATE OR DELETE ON version_signatures FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER evals_changed AFTER INSERT OR UPDATE OR DELETE ON eval_results FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
CREATE TRIGGER approvals_changed AFTER INSERT OR UPDATE OR DELETE ON approvals FOR EACH ROW EXECUTE FUNCTION aam_package_changed();
`;
