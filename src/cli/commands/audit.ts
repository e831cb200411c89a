import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError, messageOf } from '../../core/errors.ts';
import { withFileLock } from '../../core/fs/file-lock.ts';
import { readLockFile } from '../../core/lockfile/lockfile.ts';
import { isValidPackageName } from '../../core/model/names.ts';
import { readTrustRecord, recordPathOf, writeTrustRecord } from '../../core/record/trust-record.ts';
import { HttpRegistry } from '../../core/registry/http-registry.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { PACKAGE_PREVIOUS } from '../../core/registry/audit-log.ts';
import { describeEquivocation, equivocations } from '../../core/registry/audit-publishes.ts';
import { checkRegistryLog } from '../../core/registry/registry-check.ts';
import { aamHome } from '../../core/aam-home.ts';
import { registryPins } from '../../core/verify/evidence/registry-pins.ts';
import { join } from 'node:path';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';

export const AUDIT_HELP = `Usage: aam-trust audit NAME [--registry NAME] [--project DIR] [--json]

Prints what an HTTP registry's audit log says happened to package NAME
(publishes, yanks, tags, approvals: event, actor, version, time), after
checking it without reading the whole log: the head is signed by the
registry's key (pinned in the registry's config entry as key_id, or on
first use in .aam/trust-record.yaml), its Merkle tree extends the one
recorded before (a consistency proof), and every entry about NAME is in
that tree (an inclusion proof each). A rewritten, dropped, reordered or
forked log is reported first, and the exit status is 1; so is a version
the log records as published twice with different archives (the registry
served different bytes for it). The new head is recorded.

NAME's registry is the one it was installed from, else --registry or the
default registry.`;

export async function auditCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('audit', argv, {
    ...COMMON,
    registry: { type: 'string' },
    restricted: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${AUDIT_HELP}\n`);
    return EXIT.ok;
  }
  const [name] = positionals;
  if (!name || positionals.length > 1 || !isValidPackageName(name))
    throw new AamError('USAGE', 'audit needs one package name (name or @scope/name).', { hint: AUDIT_HELP });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const installedFrom = await readLockFile(ctx.workspace.lockFile)
    .then((lock) => lock.packages[name]?.source)
    .catch(() => undefined);
  const registryName =
    values.registry ??
    (installedFrom && ctx.config.registries.some((r) => r.name === installedFrom) ? installedFrom : undefined);
  const registry = findRegistry(ctx.config.registries, registryName, { homeDir: io.homeDir, env: io.env });
  if (!(registry instanceof HttpRegistry))
    throw new AamError(
      'USAGE',
      `Registry "${registry.name}" is not an HTTP registry: only HTTP registries keep an audit log.`,
    );
  const entry = ctx.config.registries.find((r) => r.name === registry.name);
  const recordPath = recordPathOf(ctx.workspace.aamDir);
  const { recorded, machinePins } = await registryPins(ctx.workspace.aamDir, aamHome(io.homeDir).cacheDir, registry);
  const check = await checkRegistryLog(registry, recorded, entry?.keyId, { packages: [name], machinePins });
  const events = check.entries.filter((e) => e.package === name);
  // Proven entries that publish one version with two archives: the registry forked it (it never logs a second publish).
  const forked = equivocations(events);
  const ok = check.ok && forked.length === 0;

  // Why the head was not recorded, when it was not: said, not claimed (newuser-review 4).
  let unrecorded: string | undefined = values.restricted ? 'not recorded under --restricted' : undefined;
  if (check.ok && check.next && !values.restricted) {
    const next = check.next;
    unrecorded = await withFileLock(join(ctx.workspace.aamDir, '.install.lock'), async () => {
      const record = await readTrustRecord(recordPath);
      record.registries = { ...record.registries, [registry.name]: { ...next, recorded_at: new Date().toISOString() } };
      await writeTrustRecord(recordPath, record);
      return undefined;
    }).catch(
      (error: unknown) =>
        `not recorded: ${recordPath} could not be written (${messageOf(error)}); run it in a project with an .aam folder to pin it`,
    );
  }

  if (values.json) {
    io.stdout(
      `${JSON.stringify(
        {
          package: name,
          registry: registry.name,
          chain: {
            verified: check.ok,
            reason: check.reason ?? null,
            size: check.head?.size ?? null,
            head: check.head?.head_hash ?? null,
            root: check.head?.root ?? null,
            key_id: check.identity.key_id,
            extends: check.extends ?? null,
          },
          equivocations: forked,
          entries: events,
        },
        null,
        2,
      )}\n`,
    );
    return ok ? EXIT.ok : EXIT.failed;
  }
  // A log that fails its check says so before anything it holds is shown.
  if (!check.ok) io.stdout(`${paint(io, 'red', '✗')} ${check.reason}\n\n`);
  for (const e of forked)
    io.stdout(
      `${paint(io, 'red', '✗')} The audit log of registry "${registry.name}" ${describeEquivocation(e)}: it served different bytes for one version. Do not trust ${name} from it; report it to its operator.\n\n`,
    );
  io.stdout(
    `Audit log for ${name} (registry ${registry.name}, ${registry.url})${check.ok ? '' : ', the entries proven before the check failed'}:\n`,
  );
  if (events.length === 0) io.stdout('  (no entries)\n');
  for (const e of events) {
    const when = e.timestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    const details = Object.entries(e.metadata)
      .filter(([k, v]) => v !== null && v !== undefined && k !== PACKAGE_PREVIOUS)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join(', ');
    io.stdout(
      `  ${when}  ${e.actor.padEnd(12)} ${e.event.padEnd(16)} ${e.version ?? ''}${details ? `  (${details})` : ''}\n`,
    );
  }
  if (check.ok && forked.length > 0)
    io.stdout(
      `\n${paint(io, 'red', '✗')} The log's proofs verify, but it forks ${forked.length === 1 ? 'a version' : `${forked.length} versions`} of ${name} (above).\n`,
    );
  else if (check.ok)
    io.stdout(
      `\n${paint(io, 'green', '✓')} Log verified: ${check.head!.size} ${check.head!.size === 1 ? 'entry' : 'entries'}, ${check.head!.root ? `root ${check.head!.root.slice(0, 16)}…` : `head ${check.head!.head_hash.slice(0, 16)}…`} signed by key ${check.identity.key_id.slice(0, 16)}…; ${events.length} ${events.length === 1 ? 'entry' : 'entries'} about ${name} proven included${check.extends !== undefined ? `; extends the head recorded at ${check.extends} entries` : unrecorded ? ` (${unrecorded})` : ' (recorded now: later heads must extend it)'}\n`,
    );
  return ok ? EXIT.ok : EXIT.failed;
}
