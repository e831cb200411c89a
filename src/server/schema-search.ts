/**
 * Migration 7 (issue #28): search by words, with indexes that fit the query.
 *
 * Migration 6 searched with trigram indexes over one lowercased text; a query
 * of two common words ("audit-review") then rechecked most of the table. Now
 * a package's words are `tsvector`s ('simple' configuration: no stemming, no
 * stop words, only lowercasing) in GIN indexes, one of its name's words (scope
 * and the parts of the name between hyphens) and one of all its words (with
 * description, author, keywords); and its name has btrees in byte order
 * (collation "C"), for the exact name, a name's prefix and the order results
 * are shown in. The keywords live in
 * their own table: a statement trigger copies them into the package's row,
 * so one index answers a query whose words are spread over name, description
 * and keywords.
 *
 * The migration runner splits on a semicolon at the end of a line, so every
 * PL/pgSQL body below is written on one line.
 */
export const SEARCH_MIGRATION = `
DROP INDEX IF EXISTS idx_packages_search_trgm;
DROP INDEX IF EXISTS idx_keywords_trgm;
ALTER TABLE packages DROP COLUMN IF EXISTS search_text;

ALTER TABLE packages ADD COLUMN search_keywords TEXT NOT NULL DEFAULT '';
UPDATE packages p SET search_keywords = k.words FROM (SELECT package_id, string_agg(keyword, ' ' ORDER BY keyword) AS words FROM package_keywords GROUP BY package_id) k WHERE k.package_id = p.id;
-- A package's name's words (its scope, the parts of its name between hyphens), and all its words
-- (those, description, author, keywords): two columns, so that the planner's statistics tell how
-- many packages have a word in their name, not only anywhere.
ALTER TABLE packages ADD COLUMN search_name tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, scope || ' ' || replace(name, '-', ' '))) STORED;
ALTER TABLE packages ADD COLUMN search_words tsvector GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, scope || ' ' || replace(name, '-', ' ') || ' ' || coalesce(description, '') || ' ' || coalesce(author, '') || ' ' || search_keywords)) STORED;
CREATE INDEX idx_packages_name_words ON packages USING gin (search_name);
CREATE INDEX idx_packages_words ON packages USING gin (search_words);
-- In byte order (collation "C"), whatever the database's collation: a LIKE 'prefix%' is then a range
-- of an index, read in the order search shows it (by name then scope, or by scope then name).
CREATE INDEX idx_packages_name_c ON packages ((name COLLATE "C"), (scope COLLATE "C"));
CREATE INDEX idx_packages_scope_name_c ON packages ((scope COLLATE "C"), (name COLLATE "C"));

-- Keywords are written by statements on their own table (delete all, insert each): after each, the
-- packages it touched get their keywords again, as one text the search index reads.
CREATE FUNCTION aam_keywords_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE packages p SET search_keywords = coalesce((SELECT string_agg(k.keyword, ' ' ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id), '') WHERE p.id IN (SELECT package_id FROM changed); RETURN NULL; END $$;
CREATE TRIGGER keywords_inserted AFTER INSERT ON package_keywords REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_keywords_changed();
CREATE TRIGGER keywords_updated AFTER UPDATE ON package_keywords REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_keywords_changed();
CREATE TRIGGER keywords_deleted AFTER DELETE ON package_keywords REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION aam_keywords_changed();
`;
