import { sha256Hex } from '../core/archive/hash.ts';
import type { Queryable } from './db.ts';
import { ApiFailure } from './errors.ts';

/** What a download needs of a version: where its bytes are and what they hash to. */
export interface ArchiveRow {
  versionId: string;
  packageId: string;
  checksum: string;
  key: string;
}

/**
 * What an instance keeps for downloads: each version's row (valid while its
 * package is unchanged, by the read cache's stamp) and the archives'
 * bytes by blob key. A blob key is the SHA-256 of its bytes, checked when
 * they are read from the store, so bytes kept under a key never go stale.
 */
export class ArchiveCache {
  private readonly rows = new Map<string, { stamp: string; row: ArchiveRow }>();
  private readonly bytes = new Map<string, Buffer>();
  private held = 0;
  private readonly maxBytes: number;
  private readonly maxRows: number;

  constructor(maxBytes = 64 << 20, maxRows = 100_000) {
    this.maxBytes = maxBytes;
    this.maxRows = maxRows;
  }

  row(id: string, stamp: string): ArchiveRow | undefined {
    const kept = this.rows.get(id);
    return kept && kept.stamp === stamp ? kept.row : undefined;
  }

  keepRow(id: string, stamp: string, row: ArchiveRow): void {
    this.rows.delete(id);
    this.rows.set(id, { stamp, row });
    if (this.rows.size > this.maxRows) this.rows.delete(this.rows.keys().next().value!);
  }

  blob(key: string): Buffer | undefined {
    const found = this.bytes.get(key);
    if (found) {
      this.bytes.delete(key);
      this.bytes.set(key, found);
    }
    return found;
  }

  keepBlob(key: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes / 16 || this.bytes.has(key)) return;
    this.bytes.set(key, bytes);
    this.held += bytes.length;
    while (this.held > this.maxBytes) {
      const [oldest, kept] = this.bytes.entries().next().value!;
      this.bytes.delete(oldest);
      this.held -= kept.length;
    }
  }
}

/**
 * Download counts (spec §9.5: "may be delayed/aggregated"): each instance
 * counts the archives it sent in full (a 304 or a HEAD is not a download)
 * and adds them to the database every few seconds in one statement, not one
 * write per download. An instance that crashes loses at most that interval's
 * counts; one that stops writes them first.
 */
export class DownloadCounter {
  private pending = new Map<string, { packageId: string; count: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly db: Queryable;

  constructor(db: Queryable, intervalMs = 5_000) {
    this.db = db;
    this.timer = setInterval(() => void this.flush().catch(() => undefined), intervalMs).unref();
  }

  count(versionId: string, packageId: string): void {
    const entry = this.pending.get(versionId);
    if (entry) entry.count++;
    else this.pending.set(versionId, { packageId, count: 1 });
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const perPackage = new Map<string, number>();
    for (const { packageId, count } of batch.values())
      perPackage.set(packageId, (perPackage.get(packageId) ?? 0) + count);
    await this.db.query(
      `UPDATE package_versions v SET downloads = v.downloads + c.n
         FROM unnest($1::uuid[], $2::bigint[]) AS c(id, n) WHERE v.id = c.id`,
      [[...batch.keys()], [...batch.values()].map((b) => b.count)],
    );
    await this.db.query(
      `UPDATE packages p SET downloads_total = p.downloads_total + c.n
         FROM unnest($1::uuid[], $2::bigint[]) AS c(id, n) WHERE p.id = c.id`,
      [[...perPackage.keys()], [...perPackage.values()]],
    );
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }
}

/**
 * An archive's bytes from the blob store, refused unless they hash to the
 * checksum the version was published with; the message says which of the two
 * went wrong (the blob is gone, or its bytes changed), since an operator
 * restores the one from a backup and investigates the other.
 */
export async function checkedArchive(
  blobs: { get(key: string): Promise<Buffer | undefined> },
  at: { name: string; version: string; key: string; checksum: string },
): Promise<Buffer> {
  const bytes = await blobs.get(at.key);
  const found = bytes && sha256Hex(bytes);
  if (bytes && found === at.checksum) return bytes;
  throw new ApiFailure(
    500,
    'archive_unavailable',
    bytes
      ? `The archive of ${at.name}@${at.version} in the blob store has changed: its SHA-256 is ${found}, not the ${at.checksum} it was published with. Restore the blob "${at.key}" from a backup.`
      : `The archive of ${at.name}@${at.version} is missing from the blob store (blob "${at.key}"). Restore it from a backup.`,
  );
}
