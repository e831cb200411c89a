/**
 * The floor's file checks, common to both signature kinds: what anyone who
 * claims a package's installed and deployed copies are the signed ones must
 * do — read the archive and hash it, list the version's folder and read the
 * signature file and hash it (the lock file names both digests), inflate the
 * archive and hash its entries against the lock file's `file_checksums`, check
 * that its aam.yaml names the package, scan the files agents load for hidden
 * content, walk the installed folder and compare every file with its entry,
 * and read every deployed copy and compare it with what it must hold.
 *
 * Where the copies go is worked out from the manifest: before the clock in the
 * prepared floor, in the pass in the reading floor (see ../floor.ts).
 *
 * A failed check is the package's verdict (the first failure, as the engine
 * stops at its first), not an exception: the honesty test tampers with
 * worlds and compares verdicts package by package with the engine's.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collisionKey } from '../../src/core/archive/entry-path.ts';
import { gunzipSync } from 'node:zlib';
import { parseManifest } from '../../src/core/package/manifest.ts';
import { deployTargets, PLATFORMS } from '../../src/core/deploy/platforms.ts';
import type { DeployRoots, SourceFile } from '../../src/core/deploy/platforms.ts';
import type { LockedPackage } from '../../src/core/lockfile/lockfile.ts';
import { archivePathIn } from '../../src/core/registry/layout.ts';
import { toFsName } from '../../src/core/model/names.ts';
import { plainText } from '../../src/core/content/plain-text.ts';
import { scanFiles, scanText } from '../../src/core/content/scan.ts';

/** One deployed copy: where, its platform and that platform's folder, and what it must hold. */
export interface DeployedCopy {
  path: string;
  platform: string;
  root: string;
  /** The archive entry it is a verbatim copy of, or the bytes it must be (a transformed artifact). */
  entry: string | undefined;
  bytes: Buffer | undefined;
}

/** What the floor checks for one package besides its signature. */
export interface FileOperands {
  name: string;
  version: string;
  archive: string;
  archiveSha256: Buffer;
  /** The lock file's `file_checksums.files` (path → `sha256:hex`), when it has them. */
  fileChecksums: Record<string, string> | undefined;
  signature: string;
  signatureSha256: Buffer;
  installedDir: string;
  roots: DeployRoots;
  /** The platforms the trust record says it was deployed to: a copy missing there fails. */
  expectedPlatforms: string[];
  /** The copies, worked out beforehand (prepared floor); undefined: from the archive's aam.yaml in the pass. */
  deployed: DeployedCopy[] | undefined;
}

/** One package's outcome in a pass. */
export interface FloorVerdict {
  name: string;
  /** Why it fails (the first check that did not hold); undefined: every check held (its places aside). */
  failure: string | undefined;
  /** Archive files (what agents load) with hidden content: a finding the policy weighs. */
  hidden: string[];
  /** Places whose copy holds other bytes: an edit, or a rival's artifact (decided with all packages). */
  mismatched: string[];
  /** Places whose copy is this package's. */
  matched: string[];
  /** Every place its artifacts deploy to, on every platform (what another package may clash with). */
  places: string[];
}

const hex = (digest: string) => Buffer.from(digest.replace(/^sha256:/, ''), 'hex');
const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** A lock file's package as file operands (the signature's own operands are the caller's). */
export function fileOperands(
  world: string,
  name: string,
  entry: LockedPackage,
  signatureSuffix: string,
  expectedPlatforms: string[],
): FileOperands {
  const archive = archivePathIn(join(world, 'registry'), name, entry.version);
  const signature = entry.signature?.bundle_digest;
  if (!signature) throw new Error(`floor: ${name} has no captured signature in the lock file`);
  return {
    name,
    version: entry.version,
    archive,
    archiveSha256: hex(entry.checksum),
    fileChecksums: entry.file_checksums?.files,
    signature: `${archive}${signatureSuffix}`,
    signatureSha256: hex(signature),
    installedDir: join(world, 'project', '.aam', 'packages', toFsName(name)),
    roots: { project: join(world, 'project'), home: join(world, 'home') },
    expectedPlatforms,
    deployed: undefined,
  };
}

/** The deployed copies of a package, from its archive's files (its aam.yaml says which and where). */
export function deployedCopies(name: string, entries: Map<string, Buffer>, roots: DeployRoots): DeployedCopy[] {
  const sources = new Map<string, SourceFile>([...entries].map(([path, data]) => [path, { data, executable: false }]));
  const byObject = new Map([...sources].map(([path, file]) => [file, path]));
  const manifest = parseManifest(entries.get('aam.yaml')!.toString('utf8'));
  return PLATFORMS.flatMap((platform) => deployTargets(manifest, sources, platform, roots)).map((t) => {
    if (t.kind !== 'file') throw new Error(`floor: ${name} deploys a ${t.kind}; the floor knows files only`);
    const entry = byObject.get(t.file);
    return {
      path: t.path,
      platform: t.platform,
      root: t.root,
      entry,
      bytes: entry ? undefined : Buffer.from(t.file.data),
    };
  });
}

/** The copies of every package, worked out before the clock (the prepared floor). */
export function prepareDeployed(files: FileOperands): FileOperands {
  const entries = untar(gunzipSync(readFileSync(files.archive)));
  return { ...files, deployed: deployedCopies(files.name, entries, files.roots) };
}

/** Whether a platform's folder exists: a copy is only looked for where its platform is. Asked once a pass per folder. */
export function presentRoots(): (root: string) => boolean {
  const known = new Map<string, boolean>();
  return (root) => {
    let there = known.get(root);
    if (there === undefined) known.set(root, (there = lstatSync(root, { throwIfNoEntry: false }) !== undefined));
    return there;
  };
}

/** The Python CLI leaves hidden files out of file_checksums; that omission alone is not an edit. */
const dotted = (path: string) => path.split('/').some((segment) => segment.startsWith('.'));

/**
 * The file checks of one package. Returns the archive's and the signature's
 * bytes (the signature checks need them; undefined once a check failed) and
 * the verdict so far.
 */
export function checkFiles(
  p: FileOperands,
  present: (root: string) => boolean,
): { archive: Buffer | undefined; signature: Buffer | undefined; verdict: FloorVerdict } {
  const verdict: FloorVerdict = {
    name: p.name,
    failure: undefined,
    hidden: [],
    mismatched: [],
    matched: [],
    places: [],
  };
  const fail = (why: string) => ((verdict.failure = why), { archive: undefined, signature: undefined, verdict });
  const archive = readFileSync(p.archive);
  if (!sha256(archive).equals(p.archiveSha256)) return fail('archive: not the locked bytes');
  // The version's folder is listed (a co-signature beside the archive would be judged too).
  const listing = readdirSync(join(p.archive, '..'));
  const signatureName = p.signature.slice(p.signature.lastIndexOf('/') + 1);
  if (!listing.includes(signatureName)) return fail('signature: not there');
  const signature = readFileSync(p.signature);
  if (!sha256(signature).equals(p.signatureSha256)) return fail('signature: not the captured file');
  let entries: Map<string, Buffer>;
  try {
    entries = untar(gunzipSync(archive));
  } catch {
    return fail('archive: unreadable');
  }
  // Every entry's hash against the lock file's file_checksums (the installed files' hashes, as the lock file says).
  const recorded = p.fileChecksums;
  for (const [path, data] of entries) {
    const want = recorded?.[path];
    if (recorded && (want === undefined ? !dotted(path) : sha256(data).toString('hex') !== want))
      return fail(`file_checksums: ${path}`);
    if (!recorded) sha256(data);
  }
  if (recorded) for (const path in recorded) if (!entries.has(path)) return fail(`file_checksums: ${path}`);
  const manifest = entries.get('aam.yaml')?.toString('utf8') ?? '';
  if (!manifest.includes(p.name) || !manifest.includes(p.version)) return fail('aam.yaml: another package');
  // What agents will load: every text file of the archive, scanned for hidden content.
  for (const [path, data] of entries) if (hasHidden(path, data)) verdict.hidden.push(path);
  let seen = 0;
  let modified: string | undefined;
  const walk = (dir: string, rel: string) => {
    for (const dirent of readdirSync(dir, { withFileTypes: true })) {
      const path = rel ? `${rel}/${dirent.name}` : dirent.name;
      if (dirent.isDirectory()) walk(join(dir, dirent.name), path);
      else if (!entries.get(path)?.equals(readFileSync(join(dir, dirent.name)))) modified ??= path;
      else seen++;
    }
  };
  walk(p.installedDir, '');
  if (modified !== undefined || seen !== entries.size) return fail(`installed: ${modified ?? 'files missing'}`);
  let deployed: DeployedCopy[];
  try {
    deployed = p.deployed ?? deployedCopies(p.name, entries, p.roots);
  } catch {
    deployed = []; // an archive aam cannot deploy has no copies to compare (as the engine says)
  }
  // A platform counts as deployed where any copy is found, or where the trust record says it was deployed.
  const found = deployed.map((copy) => (present(copy.root) ? readIfThere(copy.path) : undefined));
  const platforms = new Set(p.expectedPlatforms);
  deployed.forEach((copy, i) => found[i] !== undefined && platforms.add(copy.platform));
  for (let i = 0; i < deployed.length; i++) {
    const copy = deployed[i]!;
    verdict.places.push(copy.path);
    if (!platforms.has(copy.platform)) continue;
    const have = found[i];
    if (have === undefined) return fail(`deployed: ${copy.path} missing`);
    const twin = twinOnWay(p.roots.project, copy.path);
    if (twin) return fail(`deployed: ${twin} beside ${copy.path}`);
    const want = copy.entry !== undefined ? entries.get(copy.entry)! : copy.bytes!; // a Uint8Array in a thread
    if (Buffer.compare(want, have) === 0) verdict.matched.push(copy.path);
    else verdict.mismatched.push(copy.path);
  }
  return { archive, signature, verdict };
}

/** Each folder's names by their collision key, listed once (the engine keeps its own while a stamp holds). */
const folders = new Map<string, Map<string, string[]>>();

/**
 * A name on the way from the project down to `path` that another entry of its folder spells otherwise by
 * case: the same name on macOS and Windows (the engine's twinOnPath, with its key).
 */
function twinOnWay(project: string, path: string): string | undefined {
  if (!path.startsWith(`${project}/`)) return undefined;
  let dir = project;
  for (const part of path.slice(project.length + 1).split('/')) {
    let names = folders.get(dir);
    if (!names) {
      folders.set(dir, (names = new Map()));
      for (const name of readdirSync(dir)) {
        const key = collisionKey(name);
        names.set(key, [...(names.get(key) ?? []), name]);
      }
    }
    const twin = names.get(collisionKey(part))?.find((name) => name !== part);
    if (twin) return join(dir, twin);
    dir = join(dir, part);
  }
  return undefined;
}

/** A file's bytes, or undefined when nothing is there (a copy never deployed, or removed). */
function readIfThere(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The deployed places of all packages, decided together as the engine does:
 * a copy that holds another package's artifact of the same name (a clash, aam
 * keeps the last installed) is a collision reported on both, not an edit; any
 * other mismatch fails its package. Returns the shadowed packages.
 */
export function decidePlaces(verdicts: FloorVerdict[]): string[] {
  const claims = new Map<string, string[]>();
  for (const v of verdicts)
    for (const place of new Set(v.places)) claims.set(place, [...(claims.get(place) ?? []), v.name]);
  const owners = new Map<string, string>();
  for (const v of verdicts) for (const place of v.matched) if (claims.get(place)!.length > 1) owners.set(place, v.name);
  const shadowed: string[] = [];
  for (const v of verdicts) {
    if (v.mismatched.length === 0) continue;
    const edited = v.mismatched.find((place) => (owners.get(place) ?? v.name) === v.name);
    if (edited !== undefined) v.failure ??= `deployed: ${edited} modified`;
    else shadowed.push(v.name);
  }
  return shadowed.sort();
}

const TEXT = new TextDecoder('utf-8', { fatal: true });
const MARKDOWN = /\.(?:md|mdc|markdown|mdx)$/i;

/**
 * Whether a file holds hidden content, as the engine's scan decides it. A
 * text of printable ASCII with short lines and (in Markdown) no comment,
 * definition or hiding tag cannot hold any — the engine's own first pass
 * (content/plain-text.ts) rules it out; only the rest is given to the engine's own scanner (no lesser means reaches its verdict:
 * mixed scripts, legitimate joiners…), and so is a file that is not strict
 * UTF-8 (a stray byte, a NUL, binary data in a file agents read as text),
 * which the engine decodes as agents do.
 */
function hasHidden(path: string, data: Buffer): boolean {
  let text: string | undefined;
  try {
    text = data.includes(0) ? undefined : TEXT.decode(data);
  } catch {
    text = undefined;
  }
  if (text === undefined) return scanFiles([{ path, data }]).length > 0;
  if (plainText(text, MARKDOWN.test(path))) return false;
  return scanText(text, path).length > 0;
}

/** The regular files of an uncompressed ustar archive, by path (what `aam pack` writes: no pax or long names). */
export function untar(tar: Buffer): Map<string, Buffer> {
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
