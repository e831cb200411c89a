import { homedir } from 'node:os';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import { readRecordedPackages, readTrustRecord, recordPathOf } from '../record/trust-record.ts';
import type { RecordedPackage } from '../record/trust-record.ts';
import type { JobResult, VerifyJob } from './checks/job.ts';
import { VerifyPool, workersFor } from './threads/pool.ts';
import { reportOf } from './verdict/report.ts';
import { sharedPlacesOf } from './verdict/shared-memo.ts';
import type { SharedMemo } from './verdict/shared-memo.ts';
import { installedDirOf } from '../lockfile/paths.ts';
import { ClaimFilter, installedClaims } from './evidence/claims.ts';
import { PlaceIndex, unclaimedBeside } from './verdict/collisions.ts';
import type { PackageReport, ReportExtras } from './verdict/report.ts';
import { materialOf, snapshotOf } from './store/policy-snapshot.ts';
import { claimsOfOthers, openLock, placesKeyOf, stillValid } from './store/reuse.ts';
import { VerificationStore } from './store/result-store.ts';
import { summaryOf } from './store/workspace-record.ts';
import type { EntrySummary } from './store/workspace-record.ts';
import { sizeOf, stampOf } from '../scan/stamps.ts';
import { capturedFor, notAskedOffline, revocationsUnknown, runSources } from './evidence/sources.ts';
import { httpRegistryExtras, unattestedSources } from './registry-facts.ts';
import { syncHttpMirrors } from './mirror-sync.ts';
import { RecordLessons } from './learn-record.ts';
import { fromLedger, ledgerContext } from './cached-verification.ts';
import { withSharedFolders } from './shared-folders.ts';
import { Unvouched } from './unvouched.ts';
import type { VerifyWorkspaceOptions } from './workspace-options.ts';
export type { PackageReport } from './verdict/report.ts';
export type { VerifyWorkspaceOptions } from './workspace-options.ts';

/**
 * Verifies every package of a workspace's lock file against the loaded
 * policy. A package whose earlier result still holds is decided again
 * (policy is cheap) but not verified again; the rest are verified, on
 * worker threads when there are many. What the lock file does not vouch for fails unverified (Unvouched).
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
  let ledgerSaved: Promise<void> | undefined; // written while the reports are decided and the results stored
  try {
    // Every change made before this call is to be known to the watcher before it vouches for anything.
    const watch = store && !force ? options.watch : undefined;
    await watch?.settle();
    const lock = releasable(await openLock(lockFile, store, force, options.lockRead));
    const unvouched = new Unvouched(workspace, lock.names, options.only);
    const { names } = unvouched;
    const roots = { project: workspace.root, home: options.homeDir ?? homedir() };
    // The OpenPGP keys of packages asked for (GnuPG runs apart) are fetched while the others' manifests are read.
    const unknown = options.only && !skipSignature ? names.filter((n) => force || !store?.stored(lockFile, n)) : [];
    if (unknown.length > 0) {
      const entries = await lock.entries();
      options.verifier.prefetchKeys(signingKeysNamed(unknown.map((name) => entries[name])));
    }
    // A package that shares a deployed place with another is judged with it, verified alone or not.
    // Of the others, only manifests that can claim one of these packages' places are parsed.
    const filter = options.only
      ? new ClaimFilter(names.flatMap((name) => installedClaims(installedDirOf(workspace, name), roots).names))
      : undefined;
    let claims = options.only
      ? claimsOfOthers(lock.names, names, workspace, roots, store, force, filter, watch)
      : undefined;
    const neighbours = claims
      ? [...new PlaceIndex(claims).neighboursOf(names, claims)].filter((n) => !names.includes(n))
      : [];
    const judged = [...names, ...neighbours];
    // HTTP registries are asked first: a registry that now serves other bytes invalidates what was stored.
    const configured = [...config.registries, ...config.globalRegistries];
    const unreachable = offline
      ? notAskedOffline(configured)
      : configured.some((r) => r.type === 'http')
        ? await syncHttpMirrors(
            names,
            await lock.entries(),
            config.registries,
            options.cache.dir,
            options.homeDir,
            config.globalRegistries,
          )
        : new Map<string, string>();
    // What only HTTP registries have: their audit log (checked while reachable) and attestations (as captured).
    const registryExtras = config.registries.some((r) => r.type === 'http')
      ? await httpRegistryExtras(names, await lock.entries(), options, unreachable, offline)
      : new Map<string, ReportExtras>();
    if (context.policy.require_registry_attestation)
      unattestedSources(names, await lock.entries(), config.registries, registryExtras);
    // What every result depends on besides its lock entry and its files (read after the registry checks
    // above, which may update the trust record); its places' part last, which claimsOfOthers matches alone.
    const recordFile = recordPathOf(workspace.aamDir);
    const trust = store || options.ledger ? await options.verifier.trustDigest() : '';
    // What an earlier verification in the ledger must have been judged under to stand in (and what this one is).
    const ledgerUnder = ledgerContext(trust, config.registries);
    const settingsKey = store
      ? `${VerificationStore.digest({
          trust,
          skipSignature,
          offline,
          registries: config.registries,
          // A registry whose revocations are not known refuses delegations until they are (sources.ts).
          unread: revocationsUnknown(configured, options.cache.dir, unreachable),
          cacheDir: options.cache.dir,
          packages: workspace.packagesDir,
          record: stampOf(recordFile),
          home: options.homeDir ?? homedir(),
        })}:${placesKeyOf(roots)}`
      : '';

    // Reports are decided once every result is in: whose deployed copy a shared path holds takes them all.
    const collected = new Map<string, { summary: EntrySummary; result: JobResult }>();
    const pendingRecords = new Map<string, { recorded: RecordedPackage | undefined; entry: LockedPackage }>();
    const lessons = new RecordLessons(); // what the results teach the trust record, worked out as they come
    const report = (name: string, summary: EntrySummary, result: JobResult) => collected.set(name, { summary, result });
    let done = 0;
    const progress = () => options.onProgress?.(++done, judged.length);

    const stale: string[] = [];
    const ledgerKeeps = options.ledger && !skipSignature ? options.ledger : undefined;
    for (const name of judged) {
      const stored = store && !force ? store.stored(lockFile, name) : undefined;
      if (
        stored &&
        stored.key === `${lock.digests[name]}:${settingsKey}` &&
        stillValid(stored.result, () => installedDirOf(workspace, name), watch, `${lockFile}\0${name}`)
      ) {
        report(name, stored.summary, stored.result);
        // The ledger takes results as they come: these first, then each verified below (as it is, once).
        ledgerKeeps?.remember([{ result: stored.result, ...stored.summary }], ledgerUnder);
        progress();
      } else stale.push(name);
    }

    if (stale.length > 0) {
      pool.grow(workersFor(stale.length, options.workers));
      const entries = await lock.entries();
      // Verifying a few packages builds only their entries of the record (every line is still read).
      const recordedOf = options.only
        ? await readRecordedPackages(recordFile)
        : await readTrustRecord(recordFile).then((record) => (name: string) => record.packages[name]);
      if (!skipSignature) options.verifier.prefetchKeys(signingKeysNamed(stale.map((name) => entries[name])));
      const jobs: VerifyJob[] = [];
      const pending = new Map<string, { key: string; summary: EntrySummary }>();
      const recordable = options.recordSigners === true && !config.restricted && !skipSignature;
      const sourceOf = runSources(config.registries, options.cache.dir, offline, unreachable, config.globalRegistries);
      for (const name of stale) {
        const entry = entries[name];
        if (!entry || unvouched.rejects(name, summaryOf(entry), progress)) continue;
        // The digest of the entry as parsed now, not as first read: the lock may have changed in between.
        pending.set(name, {
          key: store ? `${VerificationStore.digest(entry)}:${settingsKey}` : '',
          summary: summaryOf(entry),
        });
        const previous = store && !force ? store.stored(lockFile, name)?.result.scan : undefined;
        const recorded = recordedOf(name);
        const deploy = {
          roots,
          expected: recorded?.checksum === entry.checksum ? (recorded.platforms ?? []) : [],
        };
        jobs.push({
          name,
          entry,
          installedDir: installedDirOf(workspace, name),
          source: sourceOf(entry),
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
          // The ledger takes the files as scanned, before a spilling store lets the scan go.
          ledgerKeeps?.remember([{ result, ...summary }], ledgerUnder);
          const learning = pendingRecords.get(result.name);
          if (learning) lessons.learn(result.name, learning.recorded, learning.entry, result);
          report(result.name, summary, store?.spills ? { ...result, evidence: {}, scan: undefined } : result);
          progress();
        },
      });
      jobs.length = 0; // Their lock and record entries (10,000: tens of MB); the reports read neither, nor evidence.
    }

    if (!options.signal?.aborted) await lessons.write(workspace, options.onNotice);
    pendingRecords.clear();

    if (ledgerKeeps && !options.signal?.aborted) ledgerSaved = ledgerKeeps.save().catch(() => undefined);
    const entries = options.useCachedVerification && options.ledger ? await lock.entries() : undefined;
    // The earlier signer is held to the trust record as a fresh one is (signer continuity).
    const recordedForCache = entries && !skipSignature ? await readRecordedPackages(recordFile) : undefined;
    const misnamed = unvouched.misnamed ? await lock.entries() : undefined;
    lock.release();

    const results = [...collected.values()].map((c) => c.result);
    // A package deploys what its signed archive names; when its installed aam.yaml names other artifacts
    // (edited), the filter above did not look for their places: every manifest is read.
    if (filter && !names.every((name) => filter.covers(collected.get(name)?.result.deployed.map((c) => c.name) ?? [])))
      claims = claimsOfOthers(lock.names, names, workspace, roots, store, force, undefined, watch);
    // An AAM section beside these packages' own is nobody's only when no other manifest claims it either.
    const beside = filter && claims ? unclaimedBeside(judgedOf(names, collected), new PlaceIndex(claims)) : [];
    if (claims && beside.length > 0) {
      const more = claimsOfOthers(lock.names, names, workspace, roots, store, force, new ClaimFilter(beside), watch);
      claims = new Map([...claims].map(([name, places]) => [name, [...places, ...(more.get(name) ?? [])]]));
    }
    let memo = store?.places.get(lockFile) as { value: SharedMemo | undefined } | undefined;
    if (store && !memo) store.places.set(lockFile, (memo = { value: undefined }));
    const sharedOf = sharedPlacesOf(results, claims, workspace, memo);
    const reports = new Map<string, PackageReport>();
    for (const name of names) {
      const known = collected.get(name);
      if (!known) continue;
      const { summary } = known;
      if (unvouched.rejects(name, summary)) continue; // a result stored before entries were checked
      const result =
        (entries?.[name] &&
          fromLedger(known.result, entries[name], installedDirOf(workspace, name), options.ledger!, {
            deploy: { roots, expected: [] },
            recorded: skipSignature ? undefined : recordedForCache?.(name),
            context: ledgerUnder,
          })) ||
        known.result;
      const shared = sharedOf(result);
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
    return [...withSharedFolders(names, reports, lock.names), ...(await unvouched.reports(context, misnamed))];
  } finally {
    void pool.close(); // threads told to end exit on their own, while the caller goes on
    await ledgerSaved;
  }
}

/** `openLock`'s lock, whose parsed entries are let go (`release`) once the reports no longer need them. */
function releasable({ names, digests, entries }: Awaited<ReturnType<typeof openLock>>) {
  let read: typeof entries | undefined = entries;
  return { names, digests, entries: () => read!(), release: () => void (read = undefined) };
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

/** The results of these packages among those collected. */
function judgedOf(names: readonly string[], collected: ReadonlyMap<string, { result: JobResult }>): JobResult[] {
  return names.flatMap((name) => collected.get(name)?.result ?? []);
}
