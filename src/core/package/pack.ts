import { lstat, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { constants as zlibConstants, deflateRawSync, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { AamError } from '../errors.ts';
import { parseManifest } from './manifest.ts';
import type { Manifest } from './manifest.ts';
import { sha256, sha256Hex } from '../archive/hash.ts';
import { writeTar } from '../archive/tar.ts';
import { MANIFEST_FILE, MAX_ARCHIVE_BYTES, MAX_UNPACKED_BYTES, PACK_EXCLUDED_DIRS } from '../archive/limits.ts';

const gzipAsync = promisify(gzip);

/** A packed package: the archive bytes and what went into them. */
export interface PackedArchive {
  bytes: Buffer;
  checksum: string;
  manifest: Manifest;
  files: { path: string; size: number; sha256: string }[];
  /** Entries left out, with the reason (symlinked folders). */
  skipped: string[];
}

interface Collected {
  path: string;
  data: Buffer;
  executable: boolean;
}

/**
 * Packs a package folder into a `.aam` archive the AAM CLI can read: gzipped
 * tar, `aam.yaml` at the root, its exclusions, and its 50 MB limit. The output
 * is reproducible: sorted entries, fixed times and owners.
 */
export async function packDirectory(dir: string, options: { mtime?: Date } = {}): Promise<PackedArchive> {
  const manifestBytes = await readFile(join(dir, MANIFEST_FILE)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT')
      throw new AamError('MANIFEST_INVALID', `No aam.yaml found in ${dir}.`, {
        hint: 'Open the package folder (the one with aam.yaml), or create aam.yaml first.',
      });
    throw error;
  });
  const manifest = parseManifest(manifestBytes.toString('utf8'), join(dir, MANIFEST_FILE));
  const root = await realpath(dir);
  const skipped: string[] = [];
  const collected: Collected[] = [];
  // aam.yaml is read once: the manifest returned is the one packed, even if the file changes meanwhile.
  await walk(root, root, collected, skipped, manifestBytes);
  if (!collected.some((f) => f.path === MANIFEST_FILE))
    throw new AamError('MANIFEST_INVALID', `aam.yaml in ${dir} changed while it was packed.`, {
      hint: 'Pack again once the folder is settled.',
    });
  collected.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const unpacked = collected.reduce((n, f) => n + f.data.length, 0);
  if (unpacked > MAX_UNPACKED_BYTES) {
    throw new AamError(
      'ARCHIVE_TOO_LARGE',
      `Package content is ${(unpacked / 1048576).toFixed(1)} MB; the limit is ${MAX_UNPACKED_BYTES / 1048576} MB.`,
      {
        hint: 'Exclude large assets from the package folder.',
      },
    );
  }
  const mtime = options.mtime ?? sourceDateEpoch();
  const tar = writeTar(
    collected.map((file) => ({ name: file.path, data: file.data, mode: file.executable ? 0o755 : 0o644, mtime })),
  );
  const bytes = await gzipAsync(tar, { level: compressionLevel(tar) });
  if (bytes.length > MAX_ARCHIVE_BYTES) {
    throw new AamError(
      'ARCHIVE_TOO_LARGE',
      `Archive would be ${(bytes.length / 1048576).toFixed(1)} MB; the limit is ${MAX_ARCHIVE_BYTES / 1048576} MB.`,
      {
        hint: 'Reduce the number of files or exclude large assets.',
      },
    );
  }
  return {
    bytes,
    checksum: sha256(bytes),
    manifest,
    files: collected.map((f) => ({ path: f.path, size: f.data.length, sha256: sha256Hex(f.data) })),
    skipped,
  };
}

/**
 * zlib spends its time failing to compress what cannot be compressed (10 MB
 * of media or compressed data: half a second at any level). Samples of the
 * tar decide: content that does not shrink is stored (level 0, still gzip);
 * the rest gets the default level, which is as small as 9 for text.
 */
export function compressionLevel(tar: Buffer): number {
  const window = 4096;
  const samples = Math.min(16, Math.floor(tar.length / window));
  if (samples < 4) return zlibConstants.Z_DEFAULT_COMPRESSION;
  const step = Math.floor(tar.length / samples);
  const parts = Array.from({ length: samples }, (_, i) => tar.subarray(i * step, i * step + window));
  const sample = Buffer.concat(parts);
  const ratio = deflateRawSync(sample, { level: 1 }).length / sample.length;
  return ratio > 0.97 ? zlibConstants.Z_NO_COMPRESSION : zlibConstants.Z_DEFAULT_COMPRESSION;
}

async function walk(root: string, dir: string, out: Collected[], skipped: string[], manifest: Buffer): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  const read = (full: string, rel: string) => (rel === MANIFEST_FILE ? Promise.resolve(manifest) : readFile(full));
  for (const entry of entries) {
    const full = join(dir, entry.name);
    const rel = relative(root, full).split(sep).join('/');
    if (entry.isDirectory()) {
      if (!PACK_EXCLUDED_DIRS.has(entry.name)) await walk(root, full, out, skipped, manifest);
      continue;
    }
    if (entry.isSymbolicLink()) {
      const target = await realpath(full).catch(() => undefined);
      if (target === undefined)
        throw new AamError('ARCHIVE_UNSAFE', `${rel} is a broken link.`, {
          hint: 'Remove the link or fix its target.',
        });
      if (target !== root && !target.startsWith(root + sep)) {
        throw new AamError('ARCHIVE_UNSAFE', `${rel} links outside the package (${target}).`, {
          hint: 'Copy the file into the package instead of linking to it.',
        });
      }
      // A folder packing leaves out (.git, whose config holds a checkout's token; node_modules…) is not packed
      // through a link either.
      const into = relative(root, target)
        .split(sep)
        .find((segment) => PACK_EXCLUDED_DIRS.has(segment));
      if (into)
        throw new AamError('ARCHIVE_UNSAFE', `${rel} links into ${into}/ (${target}), which is never packed.`, {
          hint: 'Copy the file into the package instead of linking to it.',
        });
      const info = await stat(full);
      if (info.isDirectory()) {
        skipped.push(`${rel}/ (a linked folder; links to folders are not followed)`);
        continue;
      }
      out.push({ path: rel, data: await read(full, rel), executable: (info.mode & 0o111) !== 0 });
      continue;
    }
    if (entry.isFile()) {
      const info = await lstat(full);
      out.push({ path: rel, data: await read(full, rel), executable: (info.mode & 0o111) !== 0 });
      continue;
    }
    skipped.push(`${rel} (not a regular file)`);
  }
}

function sourceDateEpoch(): Date {
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) && epoch > 0 ? new Date(epoch * 1000) : new Date('2000-01-01T00:00:00Z');
}
