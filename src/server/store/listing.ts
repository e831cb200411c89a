/**
 * Every package, a page at a time after a name (keyset): what a client reads
 * to see every package of a registry of any size (HttpRegistry.listing). In
 * byte order of scope then name — unscoped packages first, as a listing by
 * page shows them — each page one range of the (scope, name) index (or of a
 * type's partial index) starting after the name given, so a page deep in the
 * listing costs what the first one costs and there is no cap.
 */
import type { Database } from '../db.ts';
import { hasType, listedPackage } from './search.ts';
import type { ARTIFACT_TYPES } from './search.ts';
import type { PackageRow } from './packages.ts';

/** A page of a listing after a name holds at most this many packages. */
export const MAX_LISTING_PAGE = 1_000;

export interface ListingQuery {
  /** The last name of the page before ('' for the first page). */
  after: string;
  type?: (typeof ARTIFACT_TYPES)[number];
  limit: number;
}

type Row = PackageRow & { types: string[] | null; keywords: string[] | null };

/** `@scope/name` as its two columns; an unscoped name has scope ''. */
function columnsOf(name: string): [scope: string, name: string] {
  const scoped = /^@([^/]*)\/(.*)$/.exec(name);
  return scoped ? [scoped[1]!, scoped[2]!] : ['', name];
}

/** The packages after `after`, up to `limit`, and the name to ask after next (null: there are no more). */
export async function listPackagesAfter(db: Pick<Database, 'boundedQuery'>, query: ListingQuery) {
  const limit = Math.min(Math.max(1, query.limit), MAX_LISTING_PAGE);
  const [scope, name] = columnsOf(query.after);
  const after = query.after
    ? `(p.scope COLLATE "C", p.name COLLATE "C") > ($1::text COLLATE "C", $2::text COLLATE "C")`
    : 'TRUE';
  const typed = query.type ? ` AND ${hasType(query.type)}` : '';
  // One more than the page, to know whether there is a next one without asking again.
  const { rows } = await db.boundedQuery<Row>(
    `SELECT p.*, p.artifact_types AS types,
            (SELECT array_agg(k.keyword ORDER BY k.keyword) FROM package_keywords k WHERE k.package_id = p.id) AS keywords
       FROM packages p WHERE ${after}${typed}
      ORDER BY p.scope COLLATE "C", p.name COLLATE "C" LIMIT ${limit + 1}`,
    query.after ? [scope, name] : [],
  );
  const packages = rows.slice(0, limit).map(listedPackage);
  return { packages, next: rows.length > limit ? packages[packages.length - 1]!.name : null };
}
