import { mkdir, readdir, rm } from 'node:fs/promises';
import { readRegularFile } from '../fs/safe-read.ts';
import { join } from 'node:path';
import { AamError, messageOf } from '../errors.ts';
import { writeFileAtomic } from '../fs/atomic-write.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { commitJournal, recoverJournal } from '../fs/journal.ts';
import { readArchive } from '../archive/read.ts';
import { sha256 } from '../archive/hash.ts';
import { parseManifest } from '../package/manifest.ts';
import type { Manifest } from '../package/manifest.ts';
import { toFsName } from '../model/names.ts';
import { readYamlMapping, toYamlText } from '../yaml/io.ts';
import { archivePathIn, packageDirIn, publishJournalCheck } from './layout.ts';
import {
  addDelegationTo,
  removeDelegationFrom,
  addSignatureTo,
  readDelegationFiles,
  readVersionSignatures,
  signatureFilesFor,
} from './local-signatures.ts';
import { indexEntry, toPackageMetadata } from './metadata.ts';
import type { Listing, PackageMetadata, SignatureRecord, VersionEntry } from './metadata.ts';
import { exists } from '../fs/exists.ts';
import { highestVersion, refusalFor, resolveIn } from './registry.ts';
import type { PublishRequest, PublishResult, Registry, SignatureToStore, StoredSignature } from './registry.ts';

export { SIGNATURE_SUFFIX } from './layout.ts';

export type { PublishResult, SignatureToStore, StoredSignature } from './registry.ts';

/**
 * A file-based registry in the AAM CLI's layout, plus signatures stored
 * beside each archive. Publishing holds a lock, never replaces a published
 * version, and commits metadata and index together.
 */
export class LocalRegistry implements Registry {
  readonly name: string;
  readonly root: string;
  readonly type = 'local' as const;

  get location(): string {
    return this.root;
  }

  constructor(name: string, root: string) {
    this.name = name;
    this.root = root;
  }

  /** Creates an empty registry (the AAM CLI's `registry init`). */
  static async create(
    root: string,
    options: { name?: string; requireSignatures?: boolean } = {},
  ): Promise<LocalRegistry> {
    const name = options.name ?? root.split(/[/\\]/).filter(Boolean).pop() ?? 'local';
    if (await exists(join(root, 'registry.yaml')))
      throw new AamError('REGISTRY_INVALID', `A registry already exists at ${root}.`);
    await mkdir(join(root, 'packages'), { recursive: true });
    const settings: Record<string, unknown> = {
      name,
      type: 'local',
      description: `Local registry at ${root}`,
      api_version: 1,
      created_at: new Date().toISOString(),
    };
    if (options.requireSignatures) settings.require_signatures = true;
    await writeFileAtomic(join(root, 'registry.yaml'), toYamlText(settings));
    await writeFileAtomic(join(root, 'index.yaml'), toYamlText({ packages: [] }));
    return new LocalRegistry(name, root);
  }

  async settings(): Promise<{ requireSignatures: boolean }> {
    const raw = await readYamlMapping(join(this.root, 'registry.yaml'), 'REGISTRY_INVALID', 'registry');
    if (!raw) {
      throw new AamError('REGISTRY_NOT_FOUND', `No registry at ${this.root} (registry.yaml is missing).`, {
        hint: `Check the url of registry "${this.name}" in your config, or create it with "aam registry init".`,
      });
    }
    return { requireSignatures: raw.require_signatures === true };
  }

  packageDir(name: string): string {
    return packageDirIn(this.root, name);
  }

  archivePath(name: string, version: string): string {
    return archivePathIn(this.root, name, version);
  }

  async metadata(name: string): Promise<PackageMetadata | undefined> {
    await this.recover();
    const raw = await readYamlMapping(join(this.packageDir(name), 'metadata.yaml'), 'REGISTRY_INVALID', 'metadata');
    return raw ? toPackageMetadata(raw, name) : undefined;
  }

  /** The version `spec` names: exact version, dist-tag, constraint, or latest when absent. */
  async resolve(name: string, spec?: string): Promise<{ metadata: PackageMetadata; entry: VersionEntry }> {
    return resolveIn(this.name, name, await this.metadata(name), spec, { latest: 'highest' });
  }

  /** The archive's bytes: a regular file within the archive limit, never followed through a link. */
  async readArchive(name: string, version: string): Promise<Buffer> {
    const bytes = await readRegularFile(this.archivePath(name, version), 'archive');
    if (!bytes)
      throw new AamError(
        'ARCHIVE_UNAVAILABLE',
        `The archive of ${name}@${version} is missing from registry "${this.name}".`,
      );
    return bytes;
  }

  /** Signature files stored beside the archive (whatever metadata says); a link or FIFO there is refused. */
  async readSignatures(name: string, version: string): Promise<StoredSignature[]> {
    return readVersionSignatures(this, name, version);
  }

  /** Adds a co-signer's signature to a version already published. */
  async addSignature(name: string, version: string, signature: SignatureToStore): Promise<SignatureRecord> {
    return addSignatureTo(this, name, version, signature);
  }

  async readDelegations(): Promise<{ name: string; bytes: Buffer }[]> {
    await this.recover();
    return readDelegationFiles(this.root);
  }

  async addDelegation(file: { name: string; bytes: Buffer }): Promise<void> {
    await withFileLock(join(this.root, '.publish.lock'), () => addDelegationTo(this.root, file));
  }

  async removeDelegation(name: string): Promise<void> {
    await withFileLock(join(this.root, '.publish.lock'), () => removeDelegationFrom(this.root, name));
  }

  /**
   * Why a publish of `name@version` would be refused, checked before any
   * signing: a Sigstore signature leaves a public log entry, and a passphrase
   * should not be asked for a publish that cannot happen. `publish` checks
   * again under the registry's lock.
   */
  async refusal(name: string, version: string, signed: boolean): Promise<AamError | undefined> {
    const { requireSignatures } = await this.settings();
    const published = (await this.metadata(name))?.versions.some((v) => v.version === version) ?? false;
    return refusalFor(this.name, name, version, signed, requireSignatures, published);
  }

  /**
   * Publishes an archive (the manifest is read from the archive itself, so
   * metadata always describes what was stored).
   */
  async publish(
    archive: Buffer,
    signatures: SignatureToStore[],
    // A folder registry has no popular names to protect: confirmName is not needed here.
    { now = new Date() }: PublishRequest & { now?: Date } = {},
  ): Promise<PublishResult> {
    const contents = await readArchive(archive);
    const manifest = parseManifest(contents.manifestText, 'aam.yaml in the archive');
    return withFileLock(join(this.root, '.publish.lock'), async () => {
      await this.recover(true);
      const refused = await this.refusal(manifest.name, manifest.version, signatures.length > 0);
      if (refused) throw refused;
      const previous = await this.metadata(manifest.name);
      const archivePath = this.archivePath(manifest.name, manifest.version);
      // Leftovers of a publish that died before committing metadata: no reader ever saw them.
      await rm(archivePath, { force: true });
      // Signature files of an earlier attempt that died before committing metadata: no reader ever saw them.
      for (const leftover of await this.readSignatures(manifest.name, manifest.version))
        await rm(leftover.path, { force: true });
      const files = signatureFilesFor(manifest.version, signatures);
      const records: SignatureRecord[] = [];
      for (const [i, signature] of signatures.entries()) {
        await writeFileAtomic(join(archivePath, '..', files[i]!), signature.bytes);
        records.push({ type: signature.type, ...signature.record, file: files[i]! });
      }
      await writeFileAtomic(archivePath, archive);
      const entry: VersionEntry = {
        version: manifest.version,
        published: now.toISOString(),
        checksum: sha256(archive),
        size: archive.length,
        dependencies: manifest.dependencies,
        ...(records.length > 0 ? { signatures: records } : {}),
      };
      const metadata = nextMetadata(previous, manifest, entry);
      const artifactTypes = Object.entries(manifest.artifacts)
        .filter(([, list]) => list.length > 0)
        .map(([kind]) => kind.replace(/s$/, ''));
      await commitJournal(join(this.root, '.publish-journal.json'), {
        writes: [
          { path: join(this.packageDir(manifest.name), 'metadata.yaml'), content: toYamlText(metadata) },
          {
            path: join(this.root, 'index.yaml'),
            content: toYamlText({ packages: await this.indexWith(metadata, artifactTypes) }),
          },
        ],
        removes: [],
      });
      return { manifest, entry, archivePath };
    });
  }

  /** All packages' metadata, for listing and for rebuilding the index. */
  async list(): Promise<PackageMetadata[]> {
    return (await this.listing()).packages;
  }

  /** All packages' metadata, with the folders whose metadata.yaml cannot be read named. */
  async listing(): Promise<Listing> {
    await this.recover();
    let dirs: string[];
    try {
      dirs = (await readdir(join(this.root, 'packages'), { withFileTypes: true }))
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
    } catch {
      return { packages: [], unreadable: [], notices: [] };
    }
    const listing: Listing = { packages: [], unreadable: [], notices: [] };
    for (const dir of dirs) {
      // A folder with no metadata.yaml is no package (yet): not listed, as before.
      const raw = await readYamlMapping(
        join(this.root, 'packages', dir, 'metadata.yaml'),
        'REGISTRY_INVALID',
        'metadata',
      )
        .then((m) => m && toPackageMetadata(m, dir))
        .catch((error: unknown) => ({ reason: messageOf(error) }));
      if (raw && 'reason' in raw) {
        listing.unreadable.push({ name: dir, reason: raw.reason });
        listing.notices.push(`Package folder ${dir} of registry "${this.name}" could not be read: ${raw.reason}`);
      } else if (raw) listing.packages.push(raw);
    }
    return listing;
  }

  /**
   * The index with `updated`'s entry replaced or added. The existing index is
   * updated in place (a publish costs the same in a registry of thousands);
   * only an unreadable index is rebuilt from every package's metadata.
   */
  private async indexWith(updated: PackageMetadata, artifactTypes: string[]): Promise<Record<string, unknown>[]> {
    const existing = await readYamlMapping(join(this.root, 'index.yaml'), 'REGISTRY_INVALID', 'index').catch(
      () => undefined,
    );
    const listed = Array.isArray(existing?.packages) ? (existing.packages as unknown[]) : undefined;
    let entries: Record<string, unknown>[];
    if (
      listed &&
      listed.every((item) => item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string')
    ) {
      entries = (listed as Record<string, unknown>[]).filter((item) => item.name !== updated.name);
    } else {
      entries = (await this.list()).filter((m) => m.name !== updated.name).map((m) => indexEntry(m));
    }
    entries.push(indexEntry(updated, artifactTypes));
    const key = (item: Record<string, unknown>) => {
      try {
        return toFsName(String(item.name));
      } catch {
        return String(item.name);
      }
    };
    return entries.sort((a, b) => key(a).localeCompare(key(b)));
  }

  /** Finishes a publish that a crash interrupted. Readers wait for a live publisher. */
  async recover(locked = false): Promise<void> {
    const journal = join(this.root, '.publish-journal.json');
    if (!(await exists(journal))) return;
    const check = publishJournalCheck(this.root, journal);
    if (locked) await recoverJournal(journal, check);
    else await withFileLock(join(this.root, '.publish.lock'), () => recoverJournal(journal, check));
  }
}

function nextMetadata(previous: PackageMetadata | undefined, manifest: Manifest, entry: VersionEntry): PackageMetadata {
  const versions = [...(previous?.versions ?? []), entry];
  return {
    name: manifest.name,
    description: manifest.description,
    author: manifest.author ?? null,
    license: manifest.license ?? null,
    repository: manifest.repository ?? null,
    keywords: manifest.keywords,
    dist_tags: {
      ...(previous?.dist_tags ?? {}),
      latest: highestVersion(versions.map((v) => v.version)) ?? entry.version,
    },
    versions,
  };
}
