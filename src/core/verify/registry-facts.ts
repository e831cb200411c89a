import { homedir } from 'node:os';
import type { LoadedConfig } from '../config/load.ts';
import type { RegistryEntry } from '../config/settings.ts';
import type { EvidenceCache } from './evidence/evidence-cache.ts';
import type { WorkspacePaths } from '../lockfile/paths.ts';
import { isAamError, messageOf } from '../errors.ts';
import type { LockedPackage } from '../lockfile/lockfile.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import { folderConditionalCache } from '../registry/http-cache.ts';
import { mirrorRootOf } from '../registry/http-mirror.ts';
import { openRegistry } from '../registry/open.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../record/trust-record.ts';
import { withFileLock } from '../fs/file-lock.ts';
import { join } from 'node:path';
import type { RecordedRegistry, TrustRecord } from '../record/trust-record.ts';
import { isKeyOf } from '../model/key-id.ts';
import type { ReportExtras } from './verdict/report.ts';
import { attestationFactOf, verifyAttestation } from '../registry/attestation.ts';
import { checkRegistryLog } from '../registry/registry-check.ts';
import type { RegistryLogCheck } from '../registry/registry-check.ts';
import type { AttestationFact } from '../policy/decision.ts';
import type { Finding } from './verdict/findings.ts';
import { logFinding, publishFinding } from './verdict/log-findings.ts';
import { pinnedHere, pinRegistryKey, readRegistryPins } from './evidence/registry-pins.ts';

/** What the registry checks need of a verification run. */
export interface RegistryFactsContext {
  workspace: WorkspacePaths;
  config: LoadedConfig;
  cache: EvidenceCache;
  homeDir?: string | undefined;
  /** Record the heads the registries prove (not in Restricted Mode). */
  recordSigners?: boolean | undefined;
  onNotice?: ((message: string) => void) | undefined;
}

/**
 * Per package from an HTTP registry: a failing finding when its registry's
 * audit log does not extend the head recorded before (or its key changed),
 * and its attestation — captured at install, checked with the pinned key
 * against the lock file's checksum (integrity makes that the archive's).
 * A registry that proves its log is recorded as seen (not in Restricted Mode).
 */
export async function httpRegistryExtras(
  names: readonly string[],
  entries: Record<string, LockedPackage | undefined>,
  options: RegistryFactsContext,
  unreachable: ReadonlyMap<string, string>,
  offline: boolean,
): Promise<Map<string, ReportExtras>> {
  const { config, workspace } = options;
  const recordFile = recordPathOf(workspace.aamDir);
  const record = await readTrustRecord(recordFile);
  const http = new Map(config.registries.filter((r) => r.type === 'http').map((r) => [r.name, r]));
  const used = new Set(names.map((n) => entries[n]?.source).filter((s): s is string => !!s && http.has(s)));
  const logProblems = new Map<string, Finding>();
  const packageProblems = new Map<string, Finding>();
  const proven: Record<string, Omit<RecordedRegistry, 'recorded_at'>> = {};
  const pins = await readRegistryPins(options.cache.dir);
  if (!offline)
    for (const name of used) {
      if (unreachable.has(name)) continue;
      const entry = http.get(name)!;
      const registry = openMirrored(entry, options.cache.dir, options.homeDir);
      if (!registry) continue;
      // The entries about the packages installed from it, each proven in the signed tree.
      const installed = names.filter((n) => entries[n]?.source === name);
      const check = await checkRegistryLog(registry, record.registries?.[name], entry.keyId, {
        packages: installed,
        machinePins: pinnedHere(pins, entry.url),
      }).catch((error: unknown) => error);
      if (!isLogCheck(check)) {
        // Anything is an answer the log could not be checked by: a finding, or a registry would evade the check. So is
        // no answer: this run's sync reached the registry (else it is not asked here), and one that drops only its
        // log's connections would pass every verification otherwise.
        logProblems.set(name, uncheckedLogFinding(name, check));
        continue;
      }
      // Whether the entries were proven by the tree or by the chain: both hold the package's publishes.
      if (check.ok)
        for (const pkg of installed) {
          const locked = entries[pkg]!;
          const problem = publishFinding(
            name,
            { name: pkg, version: locked.version, checksum: locked.checksum },
            check.entries,
          );
          if (problem) packageProblems.set(pkg, problem);
        }
      if (check.ok && check.next) proven[name] = check.next;
      else logProblems.set(name, logFinding(check, record.registries?.[name]?.audit_head));
    }
  if (Object.keys(proven).length > 0 && options.recordSigners === true && !config.restricted) {
    const now = new Date().toISOString();
    await withFileLock(join(workspace.aamDir, '.install.lock'), async () => {
      const fresh = await readTrustRecord(recordFile);
      fresh.registries = { ...fresh.registries };
      let changed = false;
      for (const [name, next] of Object.entries(proven)) {
        const was = fresh.registries[name];
        // A root once recorded is never replaced by a head without one (checkRegistryLog fails such a head).
        if (was?.audit_root !== undefined && next.audit_root === undefined) continue;
        if (
          was?.audit_size !== next.audit_size ||
          was?.audit_head !== next.audit_head ||
          was?.audit_root !== next.audit_root ||
          was?.key_id !== next.key_id ||
          was?.public_key !== next.public_key ||
          was?.name !== next.name
        ) {
          fresh.registries[name] = { ...next, recorded_at: now };
          changed = true;
        }
      }
      // Rewritten only when it learnt something: its stamp is part of what stored results depend on.
      if (changed) await writeTrustRecord(recordFile, fresh);
    }).catch((error: unknown) => options.onNotice?.(`The trust record could not be updated: ${messageOf(error)}`));
  }
  // The registry's key as proven online now, pinned on this machine when it holds none yet.
  for (const [name, next] of Object.entries(proven))
    if (pinnedHere(pins, http.get(name)!.url).length === 0)
      await pinRegistryKey(options.cache.dir, http.get(name)!.url, next.key_id, false);
  const extras = new Map<string, ReportExtras>();
  for (const name of names) {
    const entry = entries[name];
    const registry = entry && http.get(entry.source);
    if (!entry || !registry) continue;
    const attestation = await capturedAttestation(name, entry, registry, record, options.cache, pins);
    const problems = [logProblems.get(registry.name), packageProblems.get(name)].filter((f): f is Finding => !!f);
    extras.set(name, { attestation, findings: problems });
  }
  return extras;
}

/**
 * The attestation captured at install, checked with the key pinned for its
 * registry. The record is project input, so its key counts only when it is
 * the key its id names, that id is the one the attestation was captured
 * under, and it is the `key_id` the user configured for the registry, if any.
 */
async function capturedAttestation(
  name: string,
  entry: LockedPackage,
  registry: RegistryEntry,
  record: TrustRecord,
  cache: EvidenceCache,
  pins: Awaited<ReturnType<typeof readRegistryPins>>,
): Promise<AttestationFact> {
  const pinned = record.registries?.[registry.name];
  const captured = record.packages[name]?.attestation;
  const invalid = (reason: string): AttestationFact => ({ registry: registry.name, state: 'invalid', reason });
  if (!captured) return { registry: registry.name, state: 'none', reason: 'no attestation was captured at install' };
  if (!pinned)
    return invalid(
      `no key is pinned for registry "${registry.name}" in the trust record, or its public_key there is not the key its key_id names (install the package again to pin the key the registry serves)`,
    );
  if (!isKeyOf(pinned.public_key, pinned.key_id))
    return invalid(
      `the public key recorded for registry "${registry.name}" is not the key ${short(pinned.key_id)} it pins`,
    );
  if (pinned.key_id !== captured.key_id)
    return invalid(
      `it was captured under key ${short(captured.key_id)}, not the key ${short(pinned.key_id)} pinned for registry "${registry.name}"`,
    );
  // The record is the project's: a pull request can re-pin a registry whole. This machine's own pin stands over it.
  const mine = pinnedHere(pins, registry.url);
  if (mine.length > 0 && !mine.includes(pinned.key_id) && !registry.keyId)
    return invalid(
      `the project's trust record pins key ${short(pinned.key_id)} for registry "${registry.name}" (${registry.url}), but this machine pinned ${mine.map(short).join(', ')} when it took that registry's key (a change of the record — a pull request? — or an unaccepted key change; install with --accept-signer-change to take the registry's key again)`,
    );
  if (registry.keyId && registry.keyId !== pinned.key_id)
    return invalid(
      `the key ${short(pinned.key_id)} recorded for registry "${registry.name}" is not the key ${short(registry.keyId)} configured for it`,
    );
  const bytes = await cache.get(captured.digest);
  if (!bytes)
    return {
      registry: registry.name,
      state: 'none',
      reason: 'the attestation captured at install is no longer in the evidence cache',
    };
  const check = verifyAttestation(bytes, {
    sha256: entry.checksum.replace(/^sha256:/, ''),
    name,
    version: entry.version,
    registry: pinned.name,
    publicKey: pinned.public_key,
  });
  // The key it verified under is the pinned one, the captured one and the configured one, or it counts for nothing.
  if (
    check.state === 'valid' &&
    (check.keyId !== captured.key_id || (registry.keyId && check.keyId !== registry.keyId))
  )
    return invalid(
      `it is signed by key ${short(check.keyId)}, not the key ${short(registry.keyId ?? captured.key_id)} pinned for registry "${registry.name}"`,
    );
  return attestationFactOf(registry.name, check);
}

const short = (keyId: string) => `${keyId.slice(0, 16)}…`;

/**
 * What stands for the attestation of a package that did not come from an
 * HTTP registry, where one is required: nothing, and the words say why.
 */
export function unattestedSources(
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
            ? 'it was installed from a local .aam file (or a registry named "local" not configured here), which no registry attests'
            : `it was installed from "${entry.source}", which is not a configured HTTP registry`;
    extras.set(name, { attestation: { registry: entry.source, state: 'none', reason }, findings: [] });
  }
}

/**
 * A configured HTTP registry as verification asks it: its answers kept beside its mirror in the evidence
 * cache, for conditional requests. Undefined for a registry of another kind; throws for an address it
 * cannot take.
 */
export function openMirrored(
  configured: RegistryEntry,
  cacheDir: string,
  homeDir: string = homedir(),
  patience?: { timeoutMs: number; attempts: number },
): HttpRegistry | undefined {
  const made = openRegistry(configured, {
    homeDir,
    env: process.env,
    conditionalFor: (registry) => folderConditionalCache(join(mirrorRootOf(cacheDir, registry), 'http')),
    patience,
  });
  return made instanceof HttpRegistry ? made : undefined;
}

function isLogCheck(value: unknown): value is RegistryLogCheck {
  return typeof value === 'object' && value !== null && 'ok' in value && 'entries' in value;
}

/** A registry whose audit log could not be checked for an answer it gave (not for being out of reach). */
function uncheckedLogFinding(registry: string, error: unknown): Finding {
  const lost = isAamError(error, 'REGISTRY_UNREACHABLE') ? ', although it answered for its packages in this run' : '';
  return {
    code: 'REGISTRY_LOG',
    action: 'fail',
    message: `The audit log of registry "${registry}" could not be checked${lost}: ${messageOf(error).replace(/\.$/, '')}.`,
    expected: 'an audit log that extends the head recorded before',
    actual: undefined,
    hint: 'Try again; if it persists, report it to the registry\'s operator ("aam-trust audit NAME" shows what it answers).',
  };
}
