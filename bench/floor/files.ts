/**
 * The floor's file checks, common to both signature kinds: what anyone who
 * claims a package's installed and deployed copies are the signed ones must
 * do — read the archive and hash it, read the signature file and hash it
 * (the lock file names both digests), inflate the archive and hash its
 * entries, walk the installed folder and compare every file with its entry,
 * and read every deployed copy and compare it with what it must hold.
 * Where the copies go is worked out from the manifest before the clock starts.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseManifest } from '../../src/core/package/manifest.ts';
import { deployTargets, PLATFORMS } from '../../src/core/deploy/platforms.ts';
import type { SourceFile } from '../../src/core/deploy/platforms.ts';
import { readLockFile } from '../../src/core/lockfile/lockfile.ts';
import type { LockedPackage } from '../../src/core/lockfile/lockfile.ts';
import { archivePathIn } from '../../src/core/registry/layout.ts';
import { toFsName } from '../../src/core/model/names.ts';

/** One deployed copy: where, the platform folder whose presence decides whether it is looked for, and what it must hold. */
interface DeployedCopy {
  path: string;
  root: string;
  /** The archive entry it is a verbatim copy of, or the bytes it must be (a transformed artifact, computed beforehand). */
  entry: string | undefined;
  bytes: Buffer | undefined;
}

/** What the floor checks for one package besides its signature. */
export interface FileOperands {
  name: string;
  version: string;
  archive: string;
  archiveSha256: Buffer;
  signature: string;
  signatureSha256: Buffer;
  installedDir: string;
  deployed: DeployedCopy[];
}

const hex = (digest: string) => Buffer.from(digest.replace(/^sha256:/, ''), 'hex');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** The lock file's packages, with the file operands of each (the signature's own operands are the caller's). */
export async function prepareFiles(
  world: string,
  signatureSuffix: string,
): Promise<{ name: string; entry: LockedPackage; files: FileOperands }[]> {
  const lock = await readLockFile(join(world, 'project', '.aam', 'aam-lock.yaml'));
  const roots = { project: join(world, 'project'), home: join(world, 'home') };
  return Object.entries(lock.packages).map(([name, entry]) => {
    const archive = archivePathIn(join(world, 'registry'), name, entry.version);
    const entries = untar(gunzipSync(readFileSync(archive)));
    const sources = new Map<string, SourceFile>(
      [...entries].map(([path, data]) => [path, { data, executable: false }]),
    );
    const byObject = new Map([...sources].map(([path, file]) => [file, path]));
    const manifest = parseManifest(entries.get('aam.yaml')!.toString('utf8'));
    const deployed = PLATFORMS.flatMap((platform) => deployTargets(manifest, sources, platform, roots)).map((t) => {
      if (t.kind !== 'file') throw new Error(`floor: ${name} deploys a ${t.kind}; the floor knows files only`);
      const entry = byObject.get(t.file);
      return { path: t.path, root: t.root, entry, bytes: entry ? undefined : Buffer.from(t.file.data) };
    });
    const signature = (entry.signature as { bundle_digest?: string } | undefined)?.bundle_digest;
    if (!signature) throw new Error(`floor: ${name} has no captured signature in the lock file`);
    return {
      name,
      entry,
      files: {
        name,
        version: entry.version,
        archive,
        archiveSha256: hex(entry.checksum),
        signature: `${archive}${signatureSuffix}`,
        signatureSha256: hex(signature),
        installedDir: join(world, 'project', '.aam', 'packages', toFsName(name)),
        deployed,
      },
    };
  });
}

/** The platform folders that exist now: a copy is only looked for where its platform is. Once per pass. */
export function presentRoots(packages: readonly { files: FileOperands }[]): Set<string> {
  const roots = new Set(packages.flatMap((p) => p.files.deployed.map((d) => d.root)));
  return new Set([...roots].filter((root) => lstatSync(root, { throwIfNoEntry: false }) !== undefined));
}

/**
 * The file checks of one package. Returns the archive's bytes (the signature
 * checks need them) and whether its deployed copies hold what it deploys —
 * a copy that holds another package's same-named artifact does not, and that
 * is reported, not thrown. Anything else that does not hold throws: the floor
 * must have done the real work.
 */
export function checkFiles(p: FileOperands, present: ReadonlySet<string>): { archive: Buffer; deployedOk: boolean } {
  const archive = readFileSync(p.archive);
  if (!sha256(archive).equals(p.archiveSha256)) throw new Error(`floor: ${p.archive} is not the locked archive`);
  if (!sha256(readFileSync(p.signature)).equals(p.signatureSha256))
    throw new Error(`floor: ${p.signature} is not the captured signature`);
  const entries = untar(gunzipSync(archive));
  // The entry hashes are the installed files' hashes (what the lock file and a later scan compare with).
  for (const data of entries.values()) sha256(data);
  const manifest = entries.get('aam.yaml')?.toString('utf8') ?? '';
  if (!manifest.includes(p.name) || !manifest.includes(p.version))
    throw new Error(`floor: the aam.yaml of ${p.archive} does not name ${p.name}@${p.version}`);
  let seen = 0;
  const walk = (dir: string, rel: string) => {
    for (const dirent of readdirSync(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) walk(join(dir, dirent.name), path);
      else if (!entries.get(path)?.equals(readFileSync(join(dir, dirent.name))))
        throw new Error(`floor: ${path} of ${p.installedDir} is not the archive's`);
      else seen++;
    }
  };
  walk(p.installedDir, '');
  if (seen !== entries.size) throw new Error(`floor: ${p.installedDir} lacks files of the archive`);
  let deployedOk = true;
  for (const copy of p.deployed) {
    if (!present.has(copy.root)) continue;
    const want = copy.entry !== undefined ? entries.get(copy.entry)! : copy.bytes!;
    if (!want.equals(readFileSync(copy.path))) deployedOk = false;
  }
  return { archive, deployedOk };
}

/** The regular files of an uncompressed ustar archive, by path (what `aam pack` writes: no pax or long names). */
function untar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let offset = 0; offset + 512 <= tar.length && tar[offset] !== 0;) {
    const name = tar.toString('utf8', offset, offset + 100).replace(/\0.*$/s, '');
    const prefix = tar.toString('utf8', offset + 345, offset + 500).replace(/\0.*$/s, '');
    const size = parseInt(tar.toString('latin1', offset + 124, offset + 136).trim() || '0', 8);
    const type = tar[offset + 156];
    if (type === 0x30 || type === 0)
      files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
