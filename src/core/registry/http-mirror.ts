import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from '../archive/hash.ts';
import { AamError, messageOf } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { readRegularFile } from '../fs/safe-read.ts';
import { toYamlText } from '../yaml/io.ts';
import type { HttpRegistry } from './http-registry.ts';
import { archivePathIn, delegationsDirIn, MAX_SIGNATURES, signatureFilesOf } from './layout.ts';
import { signatureFileOf } from './http-api.ts';
import type { StoredSignature } from './registry.ts';
import { MAX_DELEGATION_FILES } from './local-signatures.ts';
import { parseDocument, readSignedDocumentFile } from '../signature/delegation-file.ts';

/**
 * Verification reads a registry's files synchronously, stamped, on worker
 * threads. For an HTTP registry those files are a mirror in the AAM layout,
 * refreshed from the server before each verification: a file is rewritten
 * only when the server serves other bytes than the mirror holds, so a stored
 * result stays valid exactly as long as the registry serves what it served.
 * The mirror is a copy of what the registry says, never evidence of its own:
 * the lock file's checksum and the captured signature still decide.
 */
export function mirrorRootOf(cacheDir: string, registry: string): string {
  const safe = registry.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  const tag = createHash('sha256').update(registry).digest('hex').slice(0, 8);
  return join(cacheDir, 'registries', `${safe}-${tag}`);
}

/**
 * Brings the mirror of `name@version` up to date with the registry. Throws
 * REGISTRY_UNREACHABLE (or another AamError) when the registry cannot say;
 * a version the registry no longer has is removed from the mirror.
 */
export async function syncMirror(registry: HttpRegistry, root: string, name: string, version: string): Promise<void> {
  const [settings, served] = await Promise.all([registry.settings(), registry.apiVersion(name, version)]);
  await writeIfChanged(
    join(root, 'registry.yaml'),
    Buffer.from(
      toYamlText({
        name: registry.name,
        type: 'http',
        url: registry.url,
        require_signatures: settings.requireSignatures,
      }),
    ),
  );
  const archive = archivePathIn(root, name, version);
  const dir = join(archive, '..');
  const present = signatureFilesOf(version, await readdir(dir).catch(() => [] as string[]));
  if (!served) {
    await Promise.all(
      [archive, ...present.map((f) => join(dir, f))]
        .flatMap((p) => [p, `${p}.digest`])
        .map((p) => rm(p, { force: true })),
    );
    return;
  }
  if ((await digestOf(archive)) !== served.checksum?.sha256)
    await writeFileAtomic(archive, await registry.readArchive(name, version));
  const count = { sigstore: 0, gpg: 0 };
  const wanted = new Map<string, string | undefined>();
  for (const listed of (Array.isArray(served.signatures) ? served.signatures : []).slice(0, MAX_SIGNATURES))
    if (listed?.type === 'sigstore' || listed?.type === 'gpg')
      wanted.set(signatureFileOf(listed, version, ++count[listed.type]), listed.sha256);
  for (const file of present.filter((f) => !wanted.has(f)))
    await Promise.all([join(dir, file), join(dir, `${file}.digest`)].map((p) => rm(p, { force: true })));
  let fetched: Promise<StoredSignature[]> | undefined;
  for (const [file, sha256] of wanted) {
    const path = join(dir, file);
    if ((await digestOf(path)) === sha256) continue;
    const bytes = (await (fetched ??= registry.readSignatures(name, version))).find((s) => s.file === file)?.bytes;
    if (bytes) await writeFileAtomic(path, bytes);
    else await rm(path, { force: true });
  }
}

/**
 * Brings the mirror's `delegations/` up to date with the registry's: what it no longer serves goes, except a
 * revocation, which a registry that stops serving it must not take back (spec3-review A′: verification then
 * trusted the revoked delegation again). One that is not valid counts for nothing where it is judged.
 */
export async function syncDelegations(registry: HttpRegistry, root: string): Promise<void> {
  const served = await registry.readDelegations();
  const dir = delegationsDirIn(root);
  for (const file of served) await writeIfChanged(join(dir, file.name), file.bytes, 'delegation');
  const names = new Set(served.map((f) => f.name));
  // Kept revocations never take the folder past what clients read (diff10-review R2: a registry that served
  // junk and took it back filled it, and then no delegation there counted).
  let room = MAX_DELEGATION_FILES - names.size;
  for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) {
    if (names.has(name)) continue;
    if (room > 0 && (await isRevocation(join(dir, name), name))) room--;
    else await rm(join(dir, name), { force: true });
  }
  if (!existsSync(join(root, DELEGATIONS_SYNCED)))
    await writeFileAtomic(join(root, DELEGATIONS_SYNCED), `${new Date().toISOString()}\n`);
}

/**
 * Written in a mirror once its registry has told its delegations: a mirror without it has never held
 * them, so its revocations are unknown, not none (sources.ts, revocationsUnread).
 */
export const DELEGATIONS_SYNCED = 'delegations-synced';

/** Whether the mirror at `root` ever held its registry's delegations (an older mirror: a `delegations/` folder). */
export function delegationsEverSynced(root: string): boolean {
  return existsSync(join(root, DELEGATIONS_SYNCED)) || existsSync(delegationsDirIn(root));
}

async function isRevocation(path: string, name: string): Promise<boolean> {
  const bytes = await readRegularFile(path, 'delegation').catch(() => undefined);
  const signed = bytes && readSignedDocumentFile(name, bytes);
  return !!signed && !('problem' in signed) && parseDocument(signed.document)?.kind === 'revocation';
}

/**
 * Refreshes the mirrors of every HTTP-registry package to verify, and the
 * delegations of `others`; returns, per registry, why it could not be
 * consulted (then its packages are verified from the evidence captured at
 * install, and say so; and a mirror that never held its delegations counts
 * as revocations unknown).
 */
export async function syncMirrors(
  wanted: { registry: HttpRegistry; name: string; version: string }[],
  cacheDir: string,
  others: readonly HttpRegistry[] = [],
): Promise<Map<string, string>> {
  const problems = new Map<string, string>();
  const delegationsSynced = new Set<string>();
  // A few at a time: a registry of hundreds of packages is not asked everything at once.
  const queue = [...wanted];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (problems.has(next.registry.name)) continue;
      try {
        const root = mirrorRootOf(cacheDir, next.registry.name);
        if (!delegationsSynced.has(next.registry.name)) {
          delegationsSynced.add(next.registry.name);
          await syncDelegations(next.registry, root);
        }
        await syncMirror(next.registry, root, next.name, next.version);
      } catch (error) {
        problems.set(next.registry.name, error instanceof AamError ? error.message : messageOf(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, queue.length) }, worker));
  // The other registries' revocations count too (spec3-review A, diff10-review H1): their delegations are
  // brought up to date as well; one out of reach keeps the revocations its mirror holds, and is named among
  // the problems, so that a mirror that never held them is not taken for a registry without revocations (R4).
  await Promise.all(
    others
      .filter((registry) => !delegationsSynced.has(registry.name))
      .map((registry) =>
        syncDelegations(registry, mirrorRootOf(cacheDir, registry.name)).catch((error: unknown) => {
          problems.set(registry.name, error instanceof AamError ? error.message : messageOf(error));
        }),
      ),
  );
  return problems;
}

/**
 * A mirror file's SHA-256, remembered beside it with the size and time it
 * had: a warm verification does not hash every archive again.
 */
async function digestOf(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const stamp = `${info.size}:${info.mtimeMs}:`;
  const remembered = (await readFile(`${path}.digest`, 'utf8').catch(() => '')).trim();
  if (remembered.startsWith(stamp) && /^[0-9a-f]{64}$/.test(remembered.slice(stamp.length)))
    return remembered.slice(stamp.length);
  const bytes = await readRegularFile(path, 'archive').catch(() => undefined);
  if (!bytes) return undefined;
  const digest = sha256Hex(bytes);
  await writeFileAtomic(`${path}.digest`, `${stamp}${digest}\n`).catch(() => undefined);
  return digest;
}

async function writeIfChanged(
  path: string,
  bytes: Buffer,
  kind: 'registry' | 'delegation' = 'registry',
): Promise<void> {
  const current = await readRegularFile(path, kind).catch(() => undefined);
  if (!current || !current.equals(bytes)) await writeFileAtomic(path, bytes);
}
