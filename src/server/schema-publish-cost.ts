/**
 * Migration 9 (issue #28): what a publish costs PostgreSQL, on a registry of
 * a million versions.
 *
 * - A new name is compared with the most popular packages (name-policy.ts):
 *   with an index on downloads, finding them reads about a thousand rows, not
 *   every package. Download counts are added every few seconds per instance
 *   (archives.ts), so the index costs a write per package per flush at most.
 * - `idx_packages_updated` was read by no query, and every publish changes
 *   `updated_at`: that index alone made each publish's update of its package's
 *   row a new tuple in every index of the table (two of them GIN over its
 *   words). Without it, and with room left in the table's pages, the update
 *   (same words, same types: only the latest version and the time change) can
 *   stay on its page and touch no index (a HOT update).
 * - After artifacts are inserted, a package's types were computed again from
 *   every artifact of every version, twice. An insert only adds types: the
 *   row is written only when it lacks one of the inserted types, and then gets
 *   its types and the new ones (sorted, distinct), which is what the full
 *   computation gives. Updates and deletes of artifacts still recompute.
 *
 * The migration runner splits on a semicolon at the end of a line, so every
 * PL/pgSQL body below is written on one line.
 */
export const PUBLISH_COST_MIGRATION = `
CREATE INDEX idx_packages_downloads ON packages (downloads_total DESC);
DROP INDEX IF EXISTS idx_packages_updated;
ALTER TABLE packages SET (fillfactor = 85);

CREATE FUNCTION aam_artifacts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE packages p SET artifact_types = ARRAY(SELECT DISTINCT t FROM unnest(p.artifact_types || n.types) AS t ORDER BY 1) FROM (SELECT v.package_id, array_agg(DISTINCT c.artifact_type::text) AS types FROM changed c JOIN package_versions v ON v.id = c.version_id GROUP BY v.package_id) n WHERE p.id = n.package_id AND NOT p.artifact_types @> n.types; RETURN NULL; END $$;
DROP TRIGGER artifacts_inserted ON artifacts;
CREATE TRIGGER artifacts_inserted AFTER INSERT ON artifacts REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_artifacts_inserted();
`;
