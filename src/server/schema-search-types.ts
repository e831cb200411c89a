/**
 * Migration 8 (issue #28): search filtered by artifact type, with indexes
 * that fit it.
 *
 * Before, `?type=skill` asked, for each package in the order shown, whether
 * one of its versions has such an artifact (a join per package): a type that
 * few packages have walked every package to find them. Now a package's types
 * are a column of its row, `artifact_types` (sorted, distinct, over all its
 * versions), kept by statement triggers on `artifacts` (and on deleted
 * versions), so publish.ts is untouched. It is the second column of both word
 * indexes (GIN answers a condition on any subset of its columns and
 * intersects them inside one scan: "these words and this type" reads only
 * the packages that have both), and each type has a partial btree in the
 * order search shows (scope, then name, byte order), so a listing of one type
 * and a walk for common words within one type read only that type's packages.
 *
 * The migration runner splits on a semicolon at the end of a line, so every
 * PL/pgSQL body below is written on one line.
 */
import { ARTIFACT_TYPES, hasType } from './store/search.ts';

/** A package's types, as the column holds them. */
const TYPES_OF = (id: string) =>
  `ARRAY(SELECT DISTINCT a.artifact_type::text FROM artifacts a JOIN package_versions v ON v.id = a.version_id WHERE v.package_id = ${id} ORDER BY 1)`;

const typeIndexes = ARTIFACT_TYPES.map(
  (type) =>
    `CREATE INDEX idx_packages_type_${type} ON packages ((scope COLLATE "C"), (name COLLATE "C")) WHERE ${hasType(type, '')};`,
).join('\n');

export const SEARCH_TYPES_MIGRATION = `
ALTER TABLE packages ADD COLUMN artifact_types TEXT[] NOT NULL DEFAULT '{}';
UPDATE packages p SET artifact_types = t.types FROM (SELECT v.package_id, array_agg(DISTINCT a.artifact_type::text ORDER BY a.artifact_type::text) AS types FROM artifacts a JOIN package_versions v ON v.id = a.version_id GROUP BY v.package_id) t WHERE t.package_id = p.id;

-- The word indexes again, each with the types as a second column.
DROP INDEX IF EXISTS idx_packages_name_words;
DROP INDEX IF EXISTS idx_packages_words;
CREATE INDEX idx_packages_name_words ON packages USING gin (search_name, artifact_types);
CREATE INDEX idx_packages_words ON packages USING gin (search_words, artifact_types);
${typeIndexes}

-- After each statement on artifacts (a publish inserts them; a deleted version takes its own along), the
-- packages it touched get their types again; a row whose types are the same is not written.
CREATE FUNCTION aam_artifacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE packages p SET artifact_types = ${TYPES_OF('p.id')} WHERE p.id IN (SELECT v.package_id FROM changed c JOIN package_versions v ON v.id = c.version_id) AND p.artifact_types IS DISTINCT FROM ${TYPES_OF('p.id')}; RETURN NULL; END $$;
CREATE TRIGGER artifacts_inserted AFTER INSERT ON artifacts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_artifacts_changed();
CREATE TRIGGER artifacts_updated AFTER UPDATE ON artifacts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_artifacts_changed();
CREATE TRIGGER artifacts_deleted AFTER DELETE ON artifacts REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_artifacts_changed();
-- A version deleted (its artifacts go with it, by cascade, and can no longer be joined to it).
CREATE FUNCTION aam_versions_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE packages p SET artifact_types = ${TYPES_OF('p.id')} WHERE p.id IN (SELECT package_id FROM gone) AND p.artifact_types IS DISTINCT FROM ${TYPES_OF('p.id')}; RETURN NULL; END $$;
CREATE TRIGGER versions_deleted_types AFTER DELETE ON package_versions REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION aam_versions_deleted();
ANALYZE packages;
`;
