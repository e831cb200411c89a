import type { Queryable } from '../db.ts';

/**
 * Whether a transaction committed, asked after its COMMIT failed on the way
 * back (the connection dropped): the server may have committed it, and then
 * its publishes are stored and must be answered so — not stored again, which
 * would answer 409 for a version the client just published. While the
 * server has not yet seen the connection go, the transaction is still in
 * progress; it is asked again for a few seconds. Unknown counts as not.
 */
export async function committed(db: Queryable, xid: string): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const status = await db
      .query<{ status: string | null }>('SELECT pg_xact_status($1::text::xid8) AS status', [xid])
      .then((r) => r.rows[0]?.status ?? null)
      .catch(() => null);
    if (status !== 'in progress') return status === 'committed';
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** The id of the transaction `tx` runs in (assigned now if it has none yet), for `committed`. */
export async function transactionId(tx: Queryable): Promise<string | undefined> {
  return (await tx.query<{ xid: string }>('SELECT txid_current()::text AS xid')).rows[0]?.xid;
}
