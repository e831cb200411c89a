import { homedir } from 'node:os';
import type { LoadedConfig } from '../config/load.ts';
import type { RegistryEntry } from '../config/settings.ts';
import { messageOf } from '../errors.ts';
import { readLockFile } from '../lockfile/lockfile.ts';
import type { LockedPackage, WorkspacePaths } from '../lockfile/lockfile.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import { mirrorRootOf, syncMirrors } from '../registry/http-mirror.ts';
import { LocalRegistry } from '../registry/local-registry.ts';
import { openRegistry } from '../registry/open.ts';
import type { PackageEvidence } from './check-package.ts';
import { capturedSignatureOf, gatherEvidence as gather } from './evidence.ts';
import type { CapturedSignature, EvidenceSource } from './evidence.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../record/trust-record.ts';
import { recordUpdate } from '../record/continuity.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { join } from 'node:path';
import type { RecordedPackage, RecordedRegistry } from '../record/trust-record.ts';
import type { EvidenceCache } from './evidence-cache.ts';
import { stillHolds } from './job.ts';
import type { JobResult, VerifyJob } from './job.ts';
import { VerifyPool, workersFor } from './pool.ts';
import { installedDirOf, reportOf, sharedPlaces } from './report.ts';
import { claimsOfInstalled } from './claims.ts';
import { PlaceIndex, placeOwners } from './collisions.ts';
import type { DeployRoots } from '../deploy/platforms.ts';
import type { PackageReport, ReportExtras } from './report.ts';
import { MATERIAL_KEYS, snapshotOf } from './policy-snapshot.ts';
import type { PolicySnapshot } from './policy-snapshot.ts';
import { VerificationStore } from './result-store.ts';
import type { EntrySummary } from './result-store.ts';
import type { SignatureVerifier } from './signature-verifier.ts';
import { nowNs, settled, sizeOf, stampOf } from './stamps.ts';
import { verifyAttestation } from '../registry/attestation.ts';
import { checkRegistryLog } from '../registry/registry-check.ts';
import type { AttestationFact } from '../policy/decision.ts';
import type { Finding } from './findings.ts';

export type { PackageReport } from './report.ts';

export interface VerifyWorkspaceOptions {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  verifier: SignatureVerifier;
  cache: EvidenceCache;
  /** Use only the evidence cache; never read a registry. */
  offline?: boolean;
  only?: readonly string[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /** Earlier results: a package whose files, lock entry and trust material are unchanged is not verified again. */
  store?: VerificationStore;
  /** Verify everything from scratch, trusting no earlier result or file stamp (the results are still stored). */
  force?: boolean;
  /** Worker threads to use at most, besides this thread (default: one per core but one; 0: this thread only). */
  workers?: number;
  /** Told when worker threads could not be used, or results could not be stored. */
  onNotice?: (message: string) => void;
  /** The user's home, where Codex keeps deployed skills and prompts (default: the process's). */
  homeDir?: string;
  /**
   * Record what is seen for the first time (trust on first use), and new versions by the same
   * signer, in .aam/trust-record.yaml. Never in Restricted Mode: an untrusted change may not
   * teach the record whom to expect.
   */
  recordSigners?: boolean;
}

/**
 * Verifies every package of a workspace's lock file against the loaded
 * policy. A package whose earlier result still holds is decided again
 * (policy is cheap) but not verified again; the rest are verified, on
 * worker threads when there are many.
 */
export async function verifyWorkspace(options: VerifyWorkspaceOptions): Promise<PackageReport[]> {
  const { workspace, store, config } = options;
  const { lockFile } = workspace;
  const force = options.force ?? false;
  const context = config.policyContext();
  const snapshot = snapshotOf(context, config.restricted, materialOf(config));
  const policyKey = JSON.stringify(snapshot);
  const skipSignature = context.policy.on_signature_failure === 'ignore';
  const offline = options.offline ?? false;
  // Nothing known yet about this lock file, so most of it is to be verified: threads boot while it is read.
  const pool = new VerifyPool(
    options.verifier,
    !options.only && (force || !store?.lockState(lockFile))
      ? workersFor(packagesEstimate(lockFile), options.workers)
      : 0,
  );
  try {
    const lock = await openLock(lockFile, store, force);
    const names = lock.names.filter((name) => !options.only || options.only.includes(name)).sort();
    const roots = { project: workspace.root, home: options.homeDir ?? homedir() };
    // A package that shares a deployed place with another is judged with it, verified alone or not.
    const claims = options.only ? claimsOfOthers(lock.names, workspace, roots, store, force) : undefined;
    const neighbours = claims
      ? [...new PlaceIndex(claims).neighboursOf(names, claims)].filter((n) => !names.includes(n))
      : [];
    const judged = [...names, ...neighbours];
    // HTTP registries are asked first: a registry that now serves other bytes invalidates what was stored.
    const unreachable =
      !offline && config.registries.some((r) => r.type === 'http')
        ? await syncHttpMirrors(names, await lock.entries(), config.registries, options.cache.dir, options.homeDir)
        : new Map<string, string>();
    // What only HTTP registries have: their audit log (checked while reachable) and attestations (as captured).
    const registryExtras = config.registries.some((r) => r.type === 'http')
      ? await httpRegistryExtras(names, await lock.entries(), options, unreachable, offline)
      : new Map<string, ReportExtras>();
    if (context.policy.require_registry_attestation)
      unattestedSources(names, await lock.entries(), config.registries, registryExtras);
    // What every result depends on besides its lock entry and its files (read after the registry
    // checks above, which may update the trust record).
    const recordFile = recordPathOf(workspace.aamDir);
    const settingsKey = store
      ? VerificationStore.digest({
          trust: await options.verifier.trustDigest(),
          skipSignature,
          offline,
          registries: config.registries,
          cacheDir: options.cache.dir,
          packages: workspace.packagesDir,
          record: stampOf(recordFile),
          home: options.homeDir ?? homedir(),
        })
      : '';

    // Reports are decided once every result is in: whose deployed copy a shared path holds takes them all.
    const collected = new Map<string, { summary: EntrySummary; result: JobResult }>();
    const pendingRecords = new Map<string, { recorded: RecordedPackage | undefined; entry: LockedPackage }>();
    const report = (name: string, summary: EntrySummary, result: JobResult) => collected.set(name, { summary, result });
    let done = 0;
    const progress = () => options.onProgress?.(++done, judged.length);

    const stale: string[] = [];
    for (const name of judged) {
      const stored = store && !force ? store.stored(lockFile, name) : undefined;
      if (
        stored &&
        stored.key === `${lock.digests[name]}:${settingsKey}` &&
        holds(stored.result, installedDirOf(workspace, name))
      ) {
        report(name, stored.summary, stored.result);
        progress();
      } else stale.push(name);
    }

    if (stale.length > 0) {
      pool.grow(workersFor(stale.length, options.workers));
      const entries = await lock.entries();
      const record = await readTrustRecord(recordFile);
      if (!skipSignature) options.verifier.prefetchKeys(signingKeysNamed(stale.map((name) => entries[name])));
      const jobs: VerifyJob[] = [];
      const pending = new Map<string, { key: string; summary: EntrySummary }>();
      const recordable = options.recordSigners === true && !config.restricted && !skipSignature;
      const sources = new Map<string, EvidenceSource>();
      for (const name of stale) {
        const entry = entries[name];
        if (!entry) continue;
        // The digest of the entry as parsed now, not as first read: the lock may have changed in between.
        pending.set(name, {
          key: store ? `${VerificationStore.digest(entry)}:${settingsKey}` : '',
          summary: summaryOf(entry),
        });
        const previous = store && !force ? store.stored(lockFile, name)?.result.scan : undefined;
        let source = sources.get(entry.source);
        if (!source)
          sources.set(
            entry.source,
            (source = evidenceSource(entry, config.registries, options.cache.dir, offline, unreachable)),
          );
        const recorded = record.packages[name];
        const deploy = {
          roots,
          expected: recorded?.checksum === entry.checksum ? (recorded.platforms ?? []) : [],
        };
        jobs.push({
          name,
          entry,
          installedDir: installedDirOf(workspace, name),
          source,
          skipSignature,
          previousScan: previous,
          captured: capturedFor(entry, recorded),
          deploy,
          sourceRequiredSignatures:
            recorded?.source_requires_signatures === true && recorded.checksum === entry.checksum,
          recorded,
        });
        if (recordable) pendingRecords.set(name, { recorded, entry });
      }
      await pool.run(jobs, options.verifier, {
        signal: options.signal,
        onFallback: (reason) =>
          options.onNotice?.(`Verifying on one thread: worker threads are unavailable (${reason}).`),
        onResult: (result) => {
          const { key, summary } = pending.get(result.name)!;
          store?.remember(lockFile, result.name, { key, summary, result });
          report(result.name, summary, result);
          progress();
        },
      });
    }

    if (pendingRecords.size > 0 && !options.signal?.aborted)
      await learnRecord(workspace, pendingRecords, collected, options.onNotice);

    const results = [...collected.values()].map((c) => c.result);
    const places = new PlaceIndex(claims ?? results.map((r) => [r.name, r.claims]));
    const owners = placeOwners(places, results);
    const reports = new Map<string, PackageReport>();
    for (const name of names) {
      const known = collected.get(name);
      if (!known) continue;
      const { summary, result } = known;
      const shared = sharedPlaces(result, places, owners, workspace);
      const extras = registryExtras.get(name);
      const key = `${policyKey}${shared.key}${extras ? JSON.stringify(extras) : ''}`;
      const decided = store?.decided.get(result);
      if (decided?.policyKey === key) {
        reports.set(name, decided.report as PackageReport);
        continue;
      }
      const fresh = reportOf(name, summary, result, context, workspace, shared, extras);
      store?.decided.set(result, { policyKey: key, report: fresh });
      reports.set(name, fresh);
    }

    if (store) {
      if (!options.signal?.aborted) {
        if (!options.only) store.retain(lockFile, new Set(names));
        store.setPolicy(lockFile, snapshot, new Date().toISOString());
      }
      for (const problem of await store.save())
        options.onNotice?.(`The verification cache could not be written: ${problem}`);
    }
    return names.flatMap((name) => reports.get(name) ?? []);
  } finally {
    pool.close();
  }
}

/**
 * The signature captured when a package was installed: the lock file's
 * record, else the trust record's for the same archive (the `aam` CLI drops
 * the lock file's records whenever it rewrites the file).
 */
export function capturedFor(
  entry: LockedPackage,
  recorded: RecordedPackage | undefined,
): CapturedSignature | undefined {
  const fromLock = capturedSignatureOf(entry);
  if (fromLock) return fromLock;
  if (!recorded?.signature || recorded.checksum !== entry.checksum || recorded.version !== entry.version)
    return undefined;
  return { type: recorded.signature.type, digest: recorded.signature.digest };
}

/**
 * Writes to the trust record what the packages just verified teach it: first
 * use, or a new version by the signer already recorded. A change of signer,
 * a removed signature or a downgrade is never learned, only accepted. Under
 * the install lock, from the record as it is on disk now.
 */
async function learnRecord(
  workspace: WorkspacePaths,
  pending: ReadonlyMap<string, { recorded: RecordedPackage | undefined; entry: LockedPackage }>,
  collected: ReadonlyMap<string, { result: JobResult }>,
  onNotice: ((message: string) => void) | undefined,
): Promise<void> {
  const now = new Date().toISOString();
  const updates = new Map<string, RecordedPackage>();
  for (const [name, { recorded, entry }] of pending) {
    const result = collected.get(name)?.result;
    if (!result || !result.checks.integrity.ok) continue;
    const platforms = [...new Set(result.deployed.filter((c) => c.state !== 'missing').map((c) => c.platform))];
    const update = recordUpdate(
      recorded,
      {
        version: entry.version,
        checksum: entry.checksum,
        source: entry.source,
        signature: result.checks.signature,
        signatureDigest: result.signatureDigest,
        platforms,
      },
      now,
    );
    if (update) updates.set(name, update);
  }
  if (updates.size === 0) return;
  try {
    await withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
      const path = recordPathOf(workspace.aamDir);
      const record = await readTrustRecord(path);
      for (const [name, update] of updates) record.packages[name] = update;
      await writeTrustRecord(path, record);
    });
  } catch (error) {
    onNotice?.(`The trust record could not be written: ${messageOf(error)}`);
  }
}

/**
 * The places every installed package claims, for a run that verifies only
 * some: a stored result that still holds says it, else the installed
 * aam.yaml does (as a job would read it).
 */
function claimsOfOthers(
  names: readonly string[],
  workspace: WorkspacePaths,
  roots: DeployRoots,
  store: VerificationStore | undefined,
  force: boolean,
): Map<string, readonly string[]> {
  const claims = new Map<string, readonly string[]>();
  for (const name of names) {
    const dir = installedDirOf(workspace, name);
    const stored = store && !force ? store.stored(workspace.lockFile, name)?.result : undefined;
    claims.set(name, stored && holds(stored, dir) ? stored.claims : claimsOfInstalled(dir, roots));
  }
  return claims;
}

/** The trust material and signing settings of a loaded config, with the file each came from. */
function materialOf(config: LoadedConfig): PolicySnapshot['material'] {
  const out: PolicySnapshot['material'] = {};
  for (const key of MATERIAL_KEYS) {
    const value = config.security[key];
    if (typeof value === 'string' && value)
      out[key] = { value, source: config.merged.originOf(['security', key]).file ?? 'default' };
  }
  return out;
}

/** The OpenPGP keys (fingerprints) the lock file says signed these entries; a few at most, as each may cost a GnuPG run. */
function signingKeysNamed(entries: (LockedPackage | undefined)[]): string[] {
  const named = new Set<string>();
  for (const entry of entries) {
    const signature = entry?.signature;
    if (signature?.type === 'gpg' && typeof signature.fingerprint === 'string')
      named.add(signature.fingerprint.replace(/\s+/g, ''));
    if (named.size === 8) break;
  }
  return [...named];
}

/** At most how many packages a lock file of this size holds, as an AAM lock entry takes about a kilobyte; 0 without the file. */
function packagesEstimate(lockFile: string): number {
  const stamp = stampOf(lockFile);
  return stamp ? Math.floor(sizeOf(stamp) / 1024) : 0;
}

/** An earlier result that still holds; anything unreadable or in doubt does not. */
function holds(result: JobResult, installedDir: string): boolean {
  try {
    return stillHolds(result, installedDir);
  } catch {
    return false;
  }
}

function summaryOf(entry: LockedPackage): EntrySummary {
  return {
    version: entry.version,
    source: entry.source,
    checksum: entry.checksum,
    fileCount: Object.keys(entry.file_checksums?.files ?? {}).length,
  };
}

/**
 * The lock file's package names and entry digests. While its stamp is
 * unchanged (and settled) they come from the store and the file is only
 * parsed if a package has to be verified again — a large lock costs more to
 * parse than to check warm.
 */
async function openLock(lockFile: string, store: VerificationStore | undefined, force: boolean) {
  const stamp = stampOf(lockFile);
  const state = store?.lockState(lockFile);
  let parsed: Promise<Record<string, LockedPackage>> | undefined;
  const entries = () => (parsed ??= readLockFile(lockFile).then((lock) => lock.packages));
  if (!force && stamp && state && state.stamp === stamp && settled(stamp, state.at)) {
    return { names: Object.keys(state.digests), digests: state.digests, entries };
  }
  const at = String(nowNs());
  const packages = await entries();
  // Digests only matter for matching stored results.
  if (!store) return { names: Object.keys(packages), digests: {} as Record<string, string>, entries };
  const digests: Record<string, string> = {};
  for (const name of Object.keys(packages)) digests[name] = VerificationStore.digest(packages[name]);
  if (stamp) store.setLockState(lockFile, { stamp, at, digests });
  return { names: Object.keys(digests), digests, entries };
}

/** Where a package's evidence is looked for: its source registry (unless offline), then the evidence cache. */
export function evidenceSource(
  entry: LockedPackage,
  registries: readonly RegistryEntry[],
  cacheDir: string,
  offline: boolean,
  unreachable: ReadonlyMap<string, string> = new Map(),
): EvidenceSource {
  if (offline) return { registry: undefined, registryProblem: undefined, cacheDir };
  // `aam install FILE.aam` records source: local (and a folder install, no checksum at all): no registry to ask.
  if (entry.source === 'local' && !registries.some((r) => r.name === 'local')) {
    const problem = entry.checksum
      ? 'it was installed from a local .aam file (source: local) that AAM Trust has not kept; run "aam-trust install FILE.aam --force" with that file so its archive and signature are kept'
      : 'it was installed from a folder (source: local, no checksum), so there is no archive to verify it against; install it from a .aam file or a registry';
    return { registry: undefined, registryProblem: problem, cacheDir };
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

/**
 * Per package from an HTTP registry: a failing finding when its registry's
 * audit log does not extend the head recorded before (or its key changed),
 * and its attestation — captured at install, checked with the pinned key
 * against the lock file's checksum (integrity makes that the archive's).
 * A registry that proves its log is recorded as seen (not in Restricted Mode).
 */
async function httpRegistryExtras(
  names: readonly string[],
  entries: Record<string, LockedPackage | undefined>,
  options: VerifyWorkspaceOptions,
  unreachable: ReadonlyMap<string, string>,
  offline: boolean,
): Promise<Map<string, ReportExtras>> {
  const { config, workspace } = options;
  const recordFile = recordPathOf(workspace.aamDir);
  const record = await readTrustRecord(recordFile);
  const http = new Map(config.registries.filter((r) => r.type === 'http').map((r) => [r.name, r]));
  const used = new Set(names.map((n) => entries[n]?.source).filter((s): s is string => !!s && http.has(s)));
  const logProblems = new Map<string, Finding>();
  const proven: Record<string, Omit<RecordedRegistry, 'recorded_at'>> = {};
  if (!offline)
    for (const name of used) {
      if (unreachable.has(name)) continue;
      const entry = http.get(name)!;
      const registry = openRegistry(entry, { homeDir: options.homeDir ?? homedir(), env: process.env });
      if (!(registry instanceof HttpRegistry)) continue;
      const check = await checkRegistryLog(registry, record.registries?.[name], entry.keyId, true).catch(
        () => undefined,
      );
      if (!check) continue;
      if (check.ok && check.next) proven[name] = check.next;
      else
        logProblems.set(name, {
          code: 'REGISTRY_LOG',
          action: 'fail',
          message: `${check.reason}.`,
          expected: check.keyChanged ? check.keyChanged.was : record.registries?.[name]?.audit_head,
          actual: check.keyChanged ? check.keyChanged.now : check.head?.head_hash,
          hint: check.keyChanged
            ? 'Do not install from it until its operator confirms the new key; then pin it (key_id in its config entry) or install with --accept-signer-change.'
            : 'The registry rewrote what it had recorded. Report it to its operator; "aam-trust audit NAME" shows the log.',
        });
    }
  if (Object.keys(proven).length > 0 && options.recordSigners === true && !config.restricted) {
    const now = new Date().toISOString();
    await withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
      const fresh = await readTrustRecord(recordFile);
      fresh.registries = { ...fresh.registries };
      let changed = false;
      for (const [name, next] of Object.entries(proven)) {
        const was = fresh.registries[name];
        if (was?.audit_size !== next.audit_size || was?.audit_head !== next.audit_head || was?.key_id !== next.key_id) {
          fresh.registries[name] = { ...next, recorded_at: now };
          changed = true;
        }
      }
      // Rewritten only when it learnt something: its stamp is part of what stored results depend on.
      if (changed) await writeTrustRecord(recordFile, fresh);
    }).catch((error: unknown) => options.onNotice?.(`The trust record could not be updated: ${messageOf(error)}`));
  }
  const extras = new Map<string, ReportExtras>();
  for (const name of names) {
    const entry = entries[name];
    const registry = entry && http.get(entry.source);
    if (!entry || !registry) continue;
    const pinned = record.registries?.[registry.name];
    const captured = record.packages[name]?.attestation;
    let attestation: AttestationFact;
    if (!captured)
      attestation = { registry: registry.name, state: 'none', reason: 'no attestation was captured at install' };
    else if (!pinned || pinned.key_id !== captured.key_id || (registry.keyId && registry.keyId !== pinned.key_id))
      attestation = {
        registry: registry.name,
        state: 'invalid',
        reason: `it is signed by a key that is not the registry's pinned key`,
      };
    else {
      const bytes = await options.cache.get(captured.digest);
      const check = bytes
        ? verifyAttestation(bytes, {
            sha256: entry.checksum.replace(/^sha256:/, ''),
            name,
            version: entry.version,
            registry: pinned.name,
            publicKey: pinned.public_key,
          })
        : undefined;
      attestation = !check
        ? {
            registry: registry.name,
            state: 'none',
            reason: 'the attestation captured at install is no longer in the evidence cache',
          }
        : check.state === 'valid'
          ? { registry: registry.name, state: 'valid', keyId: check.keyId, publisher: check.predicate.publisher.user }
          : { registry: registry.name, state: 'invalid', reason: `its attestation is not valid: ${check.reason}` };
    }
    const problem = logProblems.get(registry.name);
    extras.set(name, { attestation, findings: problem ? [problem] : [] });
  }
  return extras;
}

/**
 * What stands for the attestation of a package that did not come from an
 * HTTP registry, where one is required: nothing, and the words say why.
 */
function unattestedSources(
  names: readonly string[],
  entries: Record<string, LockedPackage | undefined>,
  registries: readonly RegistryEntry[],
  extras: Map<string, ReportExtras>,
): void {
  for (const name of names) {
    const entry = entries[name];
    if (!entry || extras.has(name)) continue;
    const registry = registries.find((r) => r.name === entry.source);
    const reason =
      registry?.type === 'http'
        ? `no attestation was captured from registry "${entry.source}"`
        : registry
          ? `it was installed from ${registry.type} registry "${entry.source}", which attests nothing`
          : entry.source === 'local'
            ? 'it was installed from a local .aam file, which no registry attests'
            : `it was installed from "${entry.source}", which is not a configured HTTP registry`;
    extras.set(name, { attestation: { registry: entry.source, state: 'none', reason }, findings: [] });
  }
}

/**
 * Asks each HTTP registry about the packages installed from it and brings
 * their mirrors up to date; the registries that could not answer, with why.
 */
export async function syncHttpMirrors(
  names: readonly string[],
  entries: Record<string, LockedPackage | undefined>,
  registries: readonly RegistryEntry[],
  cacheDir: string,
  homeDir: string = homedir(),
): Promise<Map<string, string>> {
  const wanted: Parameters<typeof syncMirrors>[0] = [];
  const opened = new Map<string, HttpRegistry>();
  for (const name of names) {
    const entry = entries[name];
    const configured = entry && registries.find((r) => r.name === entry.source && r.type === 'http');
    if (!entry || !configured) continue;
    let registry = opened.get(configured.name);
    if (!registry) {
      const made = openRegistry(configured, { homeDir, env: process.env });
      if (!(made instanceof HttpRegistry)) continue;
      opened.set(configured.name, (registry = made));
    }
    wanted.push({ registry, name, version: entry.version });
  }
  return wanted.length > 0 ? syncMirrors(wanted, cacheDir) : new Map();
}

/** The archive and signature files an installed package was installed from (registry first, else the evidence cache). */
export function gatherEvidence(
  name: string,
  entry: LockedPackage,
  options: Pick<VerifyWorkspaceOptions, 'workspace' | 'config' | 'cache' | 'offline'> & {
    /** HTTP registries syncHttpMirrors could not consult, with why. */
    unreachable?: ReadonlyMap<string, string>;
  },
  recorded?: RecordedPackage,
): PackageEvidence {
  return gather(
    name,
    entry,
    installedDirOf(options.workspace, name),
    evidenceSource(entry, options.config.registries, options.cache.dir, options.offline ?? false, options.unreachable),
    {},
    capturedFor(entry, recorded),
  );
}
