import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { readLockFile } from '../../core/lockfile/lockfile.ts';
import { isValidPackageName } from '../../core/model/names.ts';
import { registryPins } from '../../core/verify/evidence/registry-pins.ts';
import { aamHome } from '../../core/aam-home.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { verifyWorkspace } from '../../core/verify/workspace.ts';
import { infoOf, registryPackageInfo } from '../../core/workflows/info.ts';
import type { PackageInfo } from '../../core/workflows/info.ts';
import { STATUS_LABEL } from '../../core/verify/verdict/vocabulary.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import type { CliIo } from '../io.ts';
import { auditCommand } from './audit.ts';

export const INFO_HELP = `Usage: aam-trust info NAME[@VERSION] [--registry NAME] [--audit-log] [--project DIR] [--json]

Shows a package's checksum, then every signature — its type, identity or key,
when it was made, its transparency-log entry, and its status (✓ or ✗, with
why) — the delegations its signers were trusted through, and its registry
attestation. An installed package (without VERSION, or at the installed one)
is shown as it verifies now, from what was captured at install; otherwise the
version as its registry serves it. --audit-log adds its history from an HTTP
registry's audit log (as aam-trust audit NAME), and fails the version when
the log does not record its publish with its checksum, or records a version
twice with different archives (REGISTRY_LOG, as verify says). Exit 1 when it
would fail.`;

export async function infoCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('info', argv, {
    ...COMMON,
    registry: { type: 'string' },
    'audit-log': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(`${INFO_HELP}\n`);
    return EXIT.ok;
  }
  const spec = positionals.length === 1 ? positionals[0]! : '';
  const at = spec.lastIndexOf('@');
  const name = at > 0 ? spec.slice(0, at) : spec;
  const version = at > 0 ? spec.slice(at + 1) : undefined;
  if (positionals.length !== 1 || !isValidPackageName(name))
    throw new AamError('USAGE', 'info needs one NAME or NAME@VERSION.', { hint: INFO_HELP });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const lock = await readLockFile(ctx.workspace.lockFile);
  const installed = lock.packages[name];
  let info: PackageInfo;
  if (installed && (version === undefined || version === installed.version) && !values.registry) {
    const [report] = await verifyWorkspace({ ...ctx, only: [name], homeDir: io.homeDir });
    if (!report) throw new AamError('NOT_INSTALLED', `${name} is not installed in ${ctx.projectDir}.`);
    info = infoOf(
      { name, version: report.version, checksum: report.checksum, from: 'installed', registry: report.source },
      report.verdict,
      report.checks,
      report.findings,
    );
  } else {
    const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
    info = await registryPackageInfo({
      registry,
      name,
      version,
      config: ctx.config,
      verifier: ctx.verifier,
      ...(await registryPins(ctx.workspace.aamDir, aamHome(io.homeDir).cacheDir, registry)),
      auditLog: values['audit-log'] ?? false,
    });
  }
  const failed = info.verdict.action === 'fail' || info.findings.some((f) => f.action === 'fail');
  if (values.json) io.stdout(`${JSON.stringify(info, null, 2)}\n`);
  else io.stdout(describe(io, info));
  let code: number = failed ? EXIT.failed : EXIT.ok;
  if (values['audit-log']) {
    if (!values.json) io.stdout('\n');
    const audit = await auditCommand(io, [
      name,
      '--registry',
      info.registry,
      ...(values.json ? ['--json'] : []),
      ...(values.project ? ['--project', values.project] : []),
    ]);
    code = Math.max(code, audit);
  }
  return code;
}

/** The seeds' "Show Package Signatures", line by line. */
function describe(io: CliIo, info: PackageInfo): string {
  const ok = (valid: boolean) => (valid ? paint(io, 'green', 'Valid ✓') : paint(io, 'red', 'Invalid ✗'));
  const lines = [
    `${info.name}@${info.version}${info.from === 'installed' ? ' (installed)' : ` (registry ${info.registry})`}`,
    `Checksum: ${info.checksum}`,
    'Signatures:',
  ];
  if (info.signatures.length === 0) lines.push('  (none)');
  for (const s of info.signatures) {
    lines.push(`  - Type: ${s.type}`);
    if (s.type === 'sigstore')
      lines.push(`    Identity: ${s.identity ?? 'unknown'}${s.issuer ? ` (issuer ${s.issuer})` : ''}`);
    else lines.push(`    Key: ${s.key ?? 'unknown'}${s.identity ? ` (${s.identity})` : ''}`);
    if (s.issued) lines.push(`    Issued: ${s.issued}`);
    if (s.transparency_log)
      lines.push(
        `    Transparency log: ${s.transparency_log.url ?? ''}/api/v1/log/entries?logIndex=${s.transparency_log.log_index}`,
      );
    lines.push(`    File: ${s.file}`);
    lines.push(`    Status: ${ok(s.valid)}${s.reason ? ` — ${s.reason}` : ''}`);
  }
  const attestation = info.attestation;
  if (attestation) {
    lines.push('  - Type: registry-attestation', `    Registry: ${attestation.registry}`);
    if (attestation.state === 'valid') {
      if (attestation.at) lines.push(`    Timestamp: ${attestation.at}`);
      lines.push(
        `    Key: ${attestation.keyId.slice(0, 16)}…, published by ${attestation.publisher}`,
        `    Status: ${ok(true)}`,
      );
    } else lines.push(`    Status: ${attestation.state === 'none' ? 'none' : ok(false)} — ${attestation.reason}`);
  }
  if (info.delegations.length > 0) {
    lines.push('Delegations used:');
    for (const d of info.delegations)
      lines.push(`  - ${d.id.slice(7, 19)}: ${d.delegator} lets ${d.delegate} sign ${d.pattern} until ${d.until}`);
  }
  lines.push(`Verdict: ${STATUS_LABEL[info.verdict.status]} (${info.verdict.code}) — ${info.verdict.message}`);
  for (const f of info.findings) lines.push(`  ${f.action === 'fail' ? '✗' : '!'} ${f.message}`);
  return `${lines.join('\n')}\n`;
}
