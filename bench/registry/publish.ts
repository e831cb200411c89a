/**
 * Signed publishes: bodies made before the clock starts (archive, OpenPGP
 * Ed25519 signature and public key, as `aam-trust publish --sign` sends
 * them), and the cost of one publish taken apart step by step.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { sha256Hex } from '../../src/core/archive/hash.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { packDirectory } from '../../src/core/package/pack.ts';
import { attest } from '../../src/core/registry/attestation.ts';
import { DirBlobStore } from '../../src/server/blobs.ts';
import { openDatabase } from '../../src/server/db.ts';
import { checkSignature, manifestOf } from '../../src/server/publish-checks.ts';
import { registrySettings } from '../../src/server/store/packages.ts';
import { storePublish } from '../../src/server/store/publish.ts';
import { loadTrustRoot } from '../../src/core/sigstore/trusted-root.ts';
import { issueToken } from '../../src/server/tokens.ts';

export interface SignedUpload {
  archive: Buffer;
  signature: Buffer;
  publicKey: string;
  name: string;
  version: string;
}

/** `count` signed uploads of new versions (`prefix` keeps each run's packages apart), 50 packages. */
export async function signedUploads(root: string, prefix: string, count: number): Promise<SignedUpload[]> {
  const { privateKey, publicKey } = await generateKey({
    type: 'curve25519',
    userIDs: [{ email: 'bench@example.com' }],
    format: 'object',
  });
  const armored = publicKey.armor();
  const out: SignedUpload[] = [];
  for (let i = 0; i < count; i++) {
    const name = `@${prefix}/p${i % 50}`;
    const version = `1.0.${Math.floor(i / 50)}`;
    const dir = join(root, 'uploads', prefix, String(i));
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: ${version}\ndescription: Bench\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
    );
    await writeFile(join(dir, 'prompts', 'p.md'), `# ${i}\n${'x'.repeat(16 * 1024)}\n`);
    const archive = (await packDirectory(dir)).bytes;
    const signature = await signDetached(archive, {
      key: privateKey,
      fingerprint: privateKey.getFingerprint(),
      userIds: [],
    });
    out.push({ archive, signature, publicKey: armored, name, version });
  }
  await rm(join(root, 'uploads', prefix), { recursive: true, force: true });
  return out;
}

/** The multipart/form-data body of a publish. */
export function multipart(upload: SignedUpload): { body: Buffer; contentType: string } {
  const boundary = `----aam${randomUUID()}`;
  const part = (headers: string, value: Buffer | string) =>
    Buffer.concat([Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`), Buffer.from(value), Buffer.from('\r\n')]);
  const body = Buffer.concat([
    part(
      'Content-Disposition: form-data; name="archive"; filename="a.aam"\r\nContent-Type: application/gzip',
      upload.archive,
    ),
    part('Content-Disposition: form-data; name="signature"; filename="a.aam.asc"', upload.signature),
    part('Content-Disposition: form-data; name="signature_type"', 'gpg'),
    part('Content-Disposition: form-data; name="public_key"', upload.publicKey),
    Buffer.from(`--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function timed(runs: number, step: (i: number) => Promise<unknown> | unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const took = await step(i);
    // A step may time its own part (a number of ms), or else the whole of it is.
    times.push(typeof took === 'number' ? took : performance.now() - started);
  }
  return Math.round(median(times) * 1000) / 1000;
}

/**
 * One publish taken apart, in ms (medians), in this process: reading the
 * archive and its manifest, the signature check, the attestation, writing
 * the archive to a file, flushing it (file and folder: what the blob store
 * does before a version may name it), the whole blob store write, and the
 * database transaction alone (storePublish, less its blob write and
 * attestation), one publish at a time; then `transaction_batched` — the
 * same with 16 publishes at once, wall time per publish, which is what
 * group commit amortizes.
 */
export async function publishCost(root: string, databaseUrl: string | undefined, dataDir: string, runs: number) {
  const uploads = await signedUploads(root, `cost${Date.now().toString(36)}`, 50 + runs * 2);
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const sigstoreRoot = await loadTrustRoot(undefined);
  const scratch = await mkdtemp(join(tmpdir(), 'aam-cost-'));
  const blobs = new DirBlobStore(join(scratch, 'blobs'));
  const db = await openDatabase({ url: databaseUrl, dataDir: join(dataDir, 'pglite') });
  try {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM users WHERE username = 'seed'`);
    // A live token of the seed user: a write checks its token as it stores (requireLiveToken).
    const { info } = await issueToken(db, {
      userId: rows[0]!.id,
      kind: 'api',
      scopes: ['publish'],
      name: 'bench publish cost',
      expiresAt: null,
    });
    const caller = {
      userId: rows[0]!.id,
      username: 'seed',
      tokenId: info.id,
      kind: 'api' as const,
      scopes: new Set(['publish']),
      expiresAt: null,
    };
    const settings = await registrySettings(db);
    const parse = await timed(runs, (i) => manifestOf(uploads[i]!.archive));
    const upload = (i: number) => ({
      archive: uploads[i]!.archive,
      signature: uploads[i]!.signature,
      signatureType: 'gpg',
      publicKey: uploads[i]!.publicKey,
    });
    const signature = await timed(runs, (i) => checkSignature(sigstoreRoot, upload(i)));
    const attestation = await timed(runs, (i) =>
      attest(
        sha256Hex(uploads[i]!.archive),
        {
          registry: 'bench',
          package: uploads[i]!.name,
          version: uploads[i]!.version,
          publisher: { user: 'seed', signer: undefined },
          published_at: new Date().toISOString(),
        },
        key,
      ),
    );
    const blobWrite = await timed(runs, (i) => writeFile(join(scratch, `plain-${i}`), uploads[i]!.archive));
    const fsync = await timed(runs, async (i) => {
      const file = await open(join(scratch, `sync-${i}`), 'w');
      await file.write(uploads[i]!.archive);
      const started = performance.now();
      await file.sync();
      await file.close();
      const folder = await open(scratch, 'r');
      await folder.sync();
      await folder.close();
      return performance.now() - started;
    });
    const blobPut = await timed(runs, (i) => blobs.put(Buffer.concat([uploads[i]!.archive, Buffer.from(String(i))])));
    const signed = await Promise.all(uploads.map((_, i) => checkSignature(sigstoreRoot, upload(i))));
    const manifests = await Promise.all(uploads.map((u) => manifestOf(u.archive)));
    const ctx = { db, blobs, key, sigstoreRoot };
    const store = (i: number) => storePublish(ctx, settings, caller, manifests[i]!, uploads[i]!.archive, signed[i]);
    // The 50 packages first, untimed: what is timed is new versions of packages that exist.
    for (let i = 0; i < 50; i++) await store(i);
    const alone = await timed(runs, (i) => store(50 + i));
    // The others at once, 16 in flight: the batches form as they would under load.
    let next = 50 + runs;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < 50 + runs * 2) await store(next++);
      }),
    );
    const batched = (performance.now() - started) / runs;
    const ms = (n: number) => Math.round(n * 1000) / 1000;
    return {
      parse_ms: parse,
      signature_ms: signature,
      attestation_ms: attestation,
      blob_write_ms: blobWrite,
      fsync_ms: fsync,
      blob_put_ms: blobPut,
      transaction_ms: ms(alone - blobPut - attestation),
      store_total_ms: alone,
      store_batched_ms: ms(batched),
    };
  } finally {
    await db.close();
    await rm(scratch, { recursive: true, force: true });
  }
}
