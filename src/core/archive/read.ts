import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { posix } from 'node:path';
import { readTar } from './tar.ts';
import type { TarHeader } from './tar.ts';
import { AamError, messageOf } from '../errors.ts';
import { sha256Hex } from './hash.ts';
import { collisionKey, safeEntryPath } from './entry-path.ts';
import { MANIFEST_FILE, MAX_ARCHIVE_BYTES, MAX_ENTRIES, MAX_UNPACKED_BYTES } from './limits.ts';

const gunzipAsync = promisify(gunzip);

/** A regular file of an archive, with its content and SHA-256. */
export interface ArchiveFile {
  path: string;
  data: Buffer;
  executable: boolean;
  sha256: string;
  /** A symbolic link's target as the archive names it: its data is the target's, which aam installs as this link. */
  link?: string;
}

/** The validated content of a `.aam` archive. */
export interface ArchiveContents {
  files: ArchiveFile[];
  directories: string[];
  manifestText: string;
}

/**
 * Reads and validates a `.aam` archive entirely in memory: size caps, gzip,
 * tar structure, every entry name and type. Nothing is written anywhere, so
 * a refused archive leaves no trace. Links that stay inside the package are
 * turned into plain copies of their target; all others are refused.
 */
export async function readArchive(bytes: Uint8Array): Promise<ArchiveContents> {
  if (bytes.byteLength > MAX_ARCHIVE_BYTES) {
    throw new AamError(
      'ARCHIVE_TOO_LARGE',
      `Archive is ${(bytes.byteLength / 1048576).toFixed(1)} MB; the limit is ${MAX_ARCHIVE_BYTES / 1048576} MB.`,
    );
  }
  const tar = await decompress(bytes);
  const state = new EntryCollector();
  for (const { header, data } of readTar(tar)) state.add(header, data);
  return state.finish();
}

/**
 * Below these (compressed, and unpacked as the gzip trailer states it), inflating inline is cheaper than a trip
 * through the thread pool and blocks for well under a millisecond. The compressed size alone says nothing of the
 * unpacked one: 50 KB of gzip can unpack to 49 MB, which inflated inline held the thread for half a second.
 */
const INLINE_GUNZIP_BYTES = 512 * 1024;
const INLINE_UNPACKED_BYTES = 2 * 1024 * 1024;

/** The unpacked size a gzip member's trailer states (ISIZE, modulo 2^32); what it says is checked by inflating. */
function statedSize(bytes: Uint8Array): number {
  if (bytes.byteLength < 18) return 0;
  const at = bytes.byteLength - 4;
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

async function decompress(bytes: Uint8Array): Promise<Buffer> {
  try {
    const options = { maxOutputLength: MAX_UNPACKED_BYTES + 1024 * 1024, chunkSize: outputChunk(bytes) };
    if (bytes.byteLength <= INLINE_GUNZIP_BYTES && statedSize(bytes) <= INLINE_UNPACKED_BYTES)
      try {
        return gunzipSync(bytes, { ...options, maxOutputLength: INLINE_UNPACKED_BYTES });
      } catch (error) {
        // The trailer may say less than the data holds: inflated again in the thread pool, up to the real cap.
        if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE' && !(error instanceof RangeError))
          throw error;
      }
    return await gunzipAsync(bytes, options);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new AamError(
        'ARCHIVE_TOO_LARGE',
        `Archive unpacks to more than ${MAX_UNPACKED_BYTES / 1048576} MB; refused as a possible decompression bomb.`,
        { cause: error },
      );
    }
    throw new AamError(
      'ARCHIVE_INVALID',
      `Archive is not gzip-compressed data or is truncated (${messageOf(error)}).`,
      {
        cause: error,
        hint: 'Download the package again; if it persists, the registry copy is damaged.',
      },
    );
  }
}

/**
 * An output chunk that holds the whole inflated archive, as its gzip trailer
 * states the size (modulo 2^32), so that it is inflated into one buffer and
 * not copied together from pieces. The trailer is only a hint: a false one
 * costs pieces or spare room, never correctness; the size is kept within bounds.
 */
function outputChunk(bytes: Uint8Array): number {
  if (bytes.byteLength < 18) return 16 * 1024;
  const stated = statedSize(bytes);
  return Math.min(Math.max(stated + 1, 16 * 1024), 4 * 1024 * 1024);
}

class EntryCollector {
  private readonly files = new Map<string, ArchiveFile>();
  private readonly directories = new Set<string>();
  private readonly keys = new Map<string, string>();
  private readonly links: { path: string; target: string; raw: string; symbolic?: string }[] = [];
  private count = 0;

  add(header: TarHeader, data: Buffer): void {
    if (++this.count > MAX_ENTRIES) throw unsafe(`has more than ${MAX_ENTRIES} entries`);
    const path = safeEntryPath(header.name);
    // Packing skips .git (SPEC §1): one in an archive would be a repository whose own config names programs
    // that git runs there (core.fsmonitor), installed and deployed where agents and editors run git.
    if (path.split('/').includes('.git')) throw unsafe(`has ${JSON.stringify(header.name)}, inside a .git folder`);
    switch (header.type) {
      case 'file':
        this.claim(path, header.name);
        // Executable as tarfile's "data" filter leaves it: only when the owner may execute.
        this.files.set(path, { path, data, executable: (header.mode & 0o100) !== 0, sha256: sha256Hex(data) });
        return;
      case 'directory':
        if (this.directories.has(path)) return;
        this.claim(path, header.name);
        this.directories.add(path);
        return;
      case 'symlink': {
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001f\u007f]/.test(header.linkname))
          throw unsafe(`has a link ${JSON.stringify(header.name)} with control characters in its target`);
        const target = posix.normalize(posix.join(posix.dirname(path), header.linkname));
        if (header.linkname.startsWith('/') || target === '..' || target.startsWith('../')) {
          throw unsafe(
            `has a link ${JSON.stringify(header.name)} that points outside the package (${JSON.stringify(header.linkname)})`,
          );
        }
        if (!plainLinkTarget(header.linkname)) {
          throw unsafe(
            `has a link ${JSON.stringify(header.name)} to ${JSON.stringify(header.linkname)}, with ".", ".." or empty parts after a name, which the file system may resolve elsewhere than this reader does`,
          );
        }
        this.claim(path, header.name);
        this.links.push({ path, target, raw: header.name, symbolic: header.linkname });
        return;
      }
      case 'link': {
        const target = safeEntryPath(header.linkname);
        // A hard link refers to a file already extracted: tarfile cannot make one to a later entry (aam install fails).
        if (!this.files.has(target))
          throw unsafe(
            `has a hard link ${JSON.stringify(header.name)} whose target ${JSON.stringify(header.linkname)} is not a file in the package before it`,
          );
        this.claim(path, header.name);
        this.links.push({ path, target, raw: header.name });
        return;
      }
      default:
        throw unsafe(
          `has ${JSON.stringify(header.name)}, a ${header.type} entry; only regular files and folders are allowed`,
        );
    }
  }

  finish(): ArchiveContents {
    for (const link of this.links) {
      const target = this.files.get(link.target);
      if (!target) throw unsafe(`has a link ${JSON.stringify(link.raw)} whose target is not a file in the package`);
      const { link: _, ...copy } = target;
      this.files.set(link.path, { ...copy, path: link.path, ...(link.symbolic ? { link: link.symbolic } : {}) });
    }
    // A link is written as a copy of its target: what is written, not what the tar holds, must stay in bounds
    // (a 4 MB file and 100 links is a 5 KB archive that writes 400 MB, again for every deployed copy).
    let written = 0;
    for (const file of this.files.values()) written += file.data.length;
    if (written > MAX_UNPACKED_BYTES)
      throw new AamError(
        'ARCHIVE_TOO_LARGE',
        `Archive unpacks to ${(written / 1048576).toFixed(1)} MB with its links written as copies of their targets; the limit is ${MAX_UNPACKED_BYTES / 1048576} MB.`,
      );
    for (const path of this.files.keys()) {
      const parts = path.split('/');
      for (let n = 1; n < parts.length; n++) {
        if (this.files.has(parts.slice(0, n).join('/')))
          throw unsafe(`uses the file ${parts.slice(0, n).join('/')} as a folder`);
      }
    }
    const manifest = this.files.get(MANIFEST_FILE);
    if (!manifest) {
      throw new AamError('ARCHIVE_INVALID', 'Archive has no aam.yaml at its root, so it is not an AAM package.');
    }
    const files = [...this.files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return { files, directories: [...this.directories].sort(), manifestText: manifest.data.toString('utf8') };
  }

  private claim(path: string, raw: string): void {
    const key = collisionKey(path);
    const previous = this.keys.get(key);
    if (previous !== undefined) {
      throw unsafe(
        previous === path
          ? `contains ${JSON.stringify(raw)} twice; a second copy could replace the first after it was checked`
          : `contains both ${JSON.stringify(previous)} and ${JSON.stringify(path)}, which collide on case-insensitive file systems`,
      );
    }
    this.keys.set(key, path);
  }
}

/**
 * Whether a symlink target reads the same as a path and on disk: leading
 * "." and ".." parts walk through the link's own (real) folders, but after a
 * name, "x/../y" only resolves if x exists as a folder, and "f/." not at all.
 */
function plainLinkTarget(linkname: string): boolean {
  const parts = linkname.split('/');
  let i = 0;
  while (i < parts.length && (parts[i] === '.' || parts[i] === '..')) i++;
  return i < parts.length && parts.slice(i).every((p) => p !== '' && p !== '.' && p !== '..');
}

function unsafe(what: string): AamError {
  return new AamError('ARCHIVE_UNSAFE', `Archive ${what}.`, {
    hint: 'The archive may be malicious. Do not install it; report it to the registry owner.',
  });
}
