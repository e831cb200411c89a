import { randomUUID } from 'node:crypto';
import type { WorkspacePaths } from '../../lockfile/paths.ts';
import type { LoadedConfig } from '../../config/load.ts';
import type { EvidenceCache } from './evidence-cache.ts';
import type { RegistryEntry } from '../../config/settings.ts';
import { messageOf } from '../../errors.ts';
import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { delegationsEverSynced, mirrorRootOf } from '../../registry/http-mirror.ts';
import { LocalRegistry } from '../../registry/local-registry.ts';
import { openRegistry } from '../../registry/open.ts';

import { capturedSignaturesOf, gatherEvidence as gather } from './evidence.ts';
import type { CapturedSignature, EvidenceSource, PackageEvidence } from './evidence.ts';
import type { RecordedPackage } from '../../record/trust-record.ts';
import { installedDirOf } from '../../lockfile/paths.ts';

/**
 * The signatures captured when a package was installed: the lock file's
 * records, else the trust record's for the same archive (the `aam` CLI drops
 * the lock file's records whenever it rewrites the file).
 */
export function capturedFor(entry: LockedPackage, recorded: RecordedPackage | undefined): CapturedSignature[] {
  const fromLock = capturedSignaturesOf(entry);
  if (!recorded?.signature || recorded.checksum !== entry.checksum || recorded.version !== entry.version)
    return fromLock;
  // The record also knows the co-signers learned since install (a co-signature added later): both count.
  const known = new Set(fromLock.map((c) => c.digest));
  const fromRecord = [recorded.signature, ...(recorded.cosignatures ?? [])]
    .filter((s) => !known.has(s.digest))
    .map((s) => ({ type: s.type, digest: s.digest, ...(s.file ? { file: s.file } : {}) }));
  return [...fromLock, ...fromRecord];
}

/**
 * The evidence sources of one verification run, one per registry named in
 * the lock file, each carrying the run's id: what every package of the run
 * reads alike (registry.yaml, `delegations/`) is then read once a run.
 */
export function runSources(
  registries: readonly RegistryEntry[],
  cacheDir: string,
  offline: boolean,
  unreachable: ReadonlyMap<string, string>,
  globalRegistries: readonly RegistryEntry[] = [],
): (entry: LockedPackage) => EvidenceSource {
  const run = randomUUID();
  const sources = new Map<string, EvidenceSource>();
  return (entry) => {
    let source = sources.get(entry.source);
    if (!source)
      sources.set(
        entry.source,
        (source = { ...evidenceSource(entry, registries, cacheDir, offline, unreachable, globalRegistries), run }),
      );
    return source;
  };
}

/**
 * Where a package's evidence is looked for: its source registry (unless offline), then the evidence cache;
 * and where else a revocation counts: every other registry configured here, and the global config's own
 * (`globalRegistries`), which a project's list replaces but cannot make forget a revocation.
 */
export function evidenceSource(
  entry: LockedPackage,
  registries: readonly RegistryEntry[],
  cacheDir: string,
  offline: boolean,
  unreachable: ReadonlyMap<string, string> = new Map(),
  globalRegistries: readonly RegistryEntry[] = [],
): EvidenceSource {
  // Offline, the archive comes from the evidence cache only; a package from a .aam file is still told from one of
  // a registry named "local" (allowed_registries), and every registry's revocations on disk still count.
  const source: EvidenceSource = offline
    ? {
        registry: undefined,
        registryProblem: undefined,
        cacheDir,
        ...(entry.source === 'local' && !registries.some((r) => r.name === 'local') ? { fromFile: true as const } : {}),
      }
    : sourceRegistry(entry, registries, cacheDir, unreachable);
  const configured = [...registries, ...globalRegistries];
  const others = new Set(registryRoots(configured, cacheDir));
  others.delete(source.registry?.root ?? '');
  const unread = revocationsUnread(configured, cacheDir, unreachable);
  return {
    ...source,
    ...(others.size > 0 ? { otherRegistries: [...others] } : {}),
    ...(unread ? { revocationsUnread: unread } : {}),
  };
}

/**
 * Offline no HTTP registry is asked: each counts as out of reach, so one whose mirror never held its
 * delegations refuses delegated signers, as on a runner that cannot reach it (diff12-review R1).
 */
export function notAskedOffline(registries: readonly RegistryEntry[]): Map<string, string> {
  const why = 'not asked: verifying offline; run "aam-trust prepare-offline" once while it answers';
  return new Map(registries.filter((r) => r.type === 'http').map((r) => [r.name, why]));
}

/**
 * Why the revocations of a configured HTTP registry are not known: it could not be asked this run (down,
 * 401, 5xx) and its mirror never held its delegations (a fresh runner). An empty mirror is then no evidence
 * that nothing was revoked, and a lock entry pointed at a copy of that registry would trust a revoked
 * delegation again (diff11-review R4). A mirror that held them once keeps counting with what it holds.
 */
export function revocationsUnread(
  configured: readonly RegistryEntry[],
  cacheDir: string,
  unreachable: ReadonlyMap<string, string>,
): string | undefined {
  const unknown = revocationsUnknown(configured, cacheDir, unreachable);
  if (unknown.length === 0) return undefined;
  const named = unknown.map((name) => `registry "${name}" (${unreachable.get(name)})`).join('; ');
  return `the revocations of ${named} could not be read, and this machine holds no earlier copy of them: one could revoke a delegation this signer is trusted through, so it is not trusted. Verify again once the registry answers (on CI, give the runner its read token)`;
}

/** The names of the registries whose revocations are not known (see revocationsUnread): what a stored result depends on. */
export function revocationsUnknown(
  configured: readonly RegistryEntry[],
  cacheDir: string,
  unreachable: ReadonlyMap<string, string>,
): string[] {
  const names = configured
    .filter((r) => r.type === 'http' && unreachable.has(r.name))
    .map((r) => r.name)
    .filter((name) => !delegationsEverSynced(mirrorRootOf(cacheDir, name)));
  return [...new Set(names)];
}

/** The folders of registries that can be read (HTTP ones through their mirrors). */
function registryRoots(registries: readonly RegistryEntry[], cacheDir: string): string[] {
  // A registry out of reach still counts with what its mirror holds: revocations only add.
  return registries.flatMap((configured) => {
    if (configured.type === 'http') return [mirrorRootOf(cacheDir, configured.name)];
    try {
      const registry = openRegistry(configured);
      return registry instanceof LocalRegistry ? [registry.root] : [];
    } catch {
      return [];
    }
  });
}

/** The source registry's folder, or why it is not consulted. */
function sourceRegistry(
  entry: LockedPackage,
  registries: readonly RegistryEntry[],
  cacheDir: string,
  unreachable: ReadonlyMap<string, string>,
): EvidenceSource {
  // `aam install FILE.aam` records source: local (and a folder install, no checksum at all): no registry to ask.
  if (entry.source === 'local' && !registries.some((r) => r.name === 'local')) {
    const problem = entry.checksum
      ? 'source: local is a local .aam file AAM Trust has not kept, or a registry named "local" that is not configured here; configure that registry, or run "aam-trust install FILE.aam --force" with the file so its archive and signature are kept'
      : 'it was installed from a folder (source: local, no checksum), so there is no archive to verify it against; install it from a .aam file or a registry';
    return { registry: undefined, registryProblem: problem, cacheDir, fromFile: true };
  }
  const configured = registries.find((r) => r.name === entry.source);
  if (!configured)
    return { registry: undefined, registryProblem: `registry "${entry.source}" is not configured`, cacheDir };
  // An HTTP registry is read through its mirror (refreshed by syncHttpMirrors), or not at all.
  if (configured.type === 'http') {
    const problem = unreachable.get(configured.name);
    return problem
      ? { registry: undefined, registryProblem: problem, cacheDir }
      : {
          registry: { name: configured.name, root: mirrorRootOf(cacheDir, configured.name) },
          registryProblem: undefined,
          cacheDir,
        };
  }
  try {
    const registry = openRegistry(configured);
    if (!(registry instanceof LocalRegistry)) throw new Error(`registry "${configured.name}" is not a folder`);
    return { registry: { name: registry.name, root: registry.root }, registryProblem: undefined, cacheDir };
  } catch (error) {
    return { registry: undefined, registryProblem: messageOf(error), cacheDir };
  }
}

/** The archive and signature files an installed package was installed from (registry first, else the evidence cache). */
export function gatherEvidence(
  name: string,
  entry: LockedPackage,
  options: {
    workspace: WorkspacePaths;
    config: Pick<LoadedConfig, 'registries'> & Partial<Pick<LoadedConfig, 'globalRegistries'>>;
    cache: Pick<EvidenceCache, 'dir'>;
    offline?: boolean | undefined;
    /** HTTP registries syncHttpMirrors could not consult, with why. */
    unreachable?: ReadonlyMap<string, string>;
  },
  recorded?: RecordedPackage,
): PackageEvidence {
  return gather(
    name,
    entry,
    installedDirOf(options.workspace, name),
    evidenceSource(
      entry,
      options.config.registries,
      options.cache.dir,
      options.offline ?? false,
      options.unreachable,
      options.config.globalRegistries,
    ),
    {},
    capturedFor(entry, recorded),
  );
}
