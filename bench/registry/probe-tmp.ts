// Temporary probe (not committed): concurrent storePublish in-process, per-statement timings.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres } from '../../test/helpers/postgres.ts';
import { DirBlobStore } from '../../src/server/blobs.ts';
import { openRegistryStorage } from '../../src/server/serve.ts';
import { checkSignature, manifestOf } from '../../src/server/publish-checks.ts';
import { registrySettings } from '../../src/server/store/packages.ts';
import { storePublish } from '../../src/server/store/publish.ts';
import { loadTrustRoot } from '../../src/core/sigstore/trusted-root.ts';
import { signedUploads } from './publish.ts';

const durable = process.env.DURABLE === '1';
const N = Number(process.env.N ?? 400);
const C = Number(process.env.C ?? 16);
const pg = await startPostgres({ durable });
const url = await pg.createDatabase();
const root = await mkdtemp(join(tmpdir(), 'probe-'));
const db = await openRegistryStorage({ dataDir: join(root, 'd'), databaseUrl: url, name: 'bench' });
const { rows } = await db.query<{ id: string }>(`INSERT INTO users (username) VALUES ('seed') RETURNING id`);
const caller = { userId: rows[0]!.id, username: 'seed', tokenId: randomUUID(), kind: 'api' as const, scopes: new Set(['publish']), expiresAt: null };
const uploads = await signedUploads(root, 'pr', N);
const sigstoreRoot = await loadTrustRoot(undefined);
const signed = await Promise.all(uploads.map((u) => checkSignature(sigstoreRoot, { archive: u.archive, signature: u.signature, signatureType: 'gpg', publicKey: u.publicKey })));
const manifests = await Promise.all(uploads.map((u) => manifestOf(u.archive)));
const settings = await registrySettings(db);
const stats = new Map<string, { n: number; ms: number }>();
const tx0 = db.transaction.bind(db);
(db as any).transaction = (fn: any) => tx0((tx: any) => fn({ query: async (sql: string, p?: unknown[]) => {
  const t = performance.now(); try { return await tx.query(sql, p); } finally {
    const k = sql.replace(/\s+/g, ' ').slice(0, 70); const s = stats.get(k) ?? { n: 0, ms: 0 }; s.n++; s.ms += performance.now() - t; stats.set(k, s); } } }));
const ctx = { db, blobs: new DirBlobStore(join(root, 'blobs')), key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, sigstoreRoot } as any;
let next = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: C }, async () => { while (next < N) { const i = next++; await storePublish(ctx, settings, caller, manifests[i]!, uploads[i]!.archive, signed[i]); } }));
const el = performance.now() - t0;
console.log(`durable=${durable} N=${N} C=${C}: ${(N / el * 1000).toFixed(1)}/s`);
for (const [k, s] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) console.log(`${(s.ms / s.n).toFixed(2).padStart(8)} ms avg x${s.n}  ${k}`);
await db.close(); await pg.stop();
