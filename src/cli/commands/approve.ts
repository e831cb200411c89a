import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { signBytes } from '../../core/workflows/publish.ts';
import { prepareApproval } from '../../core/workflows/approve.ts';
import { HttpRegistry } from '../../core/registry/http-registry.ts';
import { findRegistry } from '../../core/registry/open.ts';
import { checksumOption, COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT, paint } from '../io.ts';
import { decided } from '../../core/messages/outcomes.ts';
import { STEP } from '../../core/messages/steps.ts';
import type { CliIo } from '../io.ts';
import { oneSigningFor, SIGNING_OPTIONS } from '../signing.ts';
import { nameAtVersion } from './sign.ts';

export const APPROVE_HELP = `Usage: aam-trust approve NAME@VERSION [--comment TEXT] [--checksum sha256:HEX] [--registry NAME] [signing options]
       aam-trust reject NAME@VERSION --reason TEXT [--checksum sha256:HEX] [--registry NAME] [signing options]

Approves (or rejects) a version waiting on an HTTP registry whose
publish_policy requires approval. The archive is downloaded and hashed here,
and the decision — registry, package, version, archive SHA-256, comment, time —
is signed by you, like a package: the registry accepts it only when you are
one of its approvers, and clients check the signature themselves. --checksum
names the archive you reviewed: another one is not signed.

Signing options: --signing-method sigstore|gpg, --gpg-key KEY,
--identity-token TOKEN, --signing-config FILE (as for publish). The API token
is read from ~/.aam/credentials.yaml or $AAM_REGISTRY_TOKEN.`;

export function approveCommand(io: CliIo, argv: string[]): Promise<number> {
  return decide(io, argv, 'approved');
}

export function rejectCommand(io: CliIo, argv: string[]): Promise<number> {
  return decide(io, argv, 'rejected');
}

async function decide(io: CliIo, argv: string[], status: 'approved' | 'rejected'): Promise<number> {
  const command = status === 'approved' ? 'approve' : 'reject';
  const { values, positionals } = parse(command, argv, {
    ...COMMON,
    ...SIGNING_OPTIONS,
    registry: { type: 'string' },
    comment: { type: 'string' },
    reason: { type: 'string' },
    checksum: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${APPROVE_HELP}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new AamError('USAGE', `${command} needs one NAME@VERSION (for example @acme/hello@1.2.0).`, {
      hint: APPROVE_HELP,
    });
  const { name, version } = nameAtVersion(positionals[0], command, APPROVE_HELP);
  const comment = (status === 'approved' ? values.comment : (values.reason ?? values.comment)) ?? '';
  if (status === 'rejected' && !comment.trim())
    throw new AamError('USAGE', 'A rejection says why: pass --reason TEXT.');
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  if (!(registry instanceof HttpRegistry))
    throw new AamError(
      'USAGE',
      `Registry "${registry.name}" is not an HTTP registry: only HTTP registries have approvals.`,
    );
  const line = values.json ? () => undefined : (text: string) => io.stdout(`${text}\n`);
  const checksum = checksumOption(values.checksum);
  const { document, sha256, registryName } = await prepareApproval(
    registry,
    name,
    version,
    { status, comment },
    checksum,
  );
  line(STEP.deciding(status, `${name}@${version}`, registryName, sha256));
  const signing = await oneSigningFor(io, ctx, values, command);
  const signature = await signBytes(document, signing, line, status === 'approved' ? 'approval' : 'rejection');
  line(`${STEP.sending(status === 'approved' ? 'approval' : 'rejection', registry.name)}...`);
  const result = await registry.approve(name, version, {
    document,
    signature: signature.bytes,
    signatureType: signature.type,
    publicKey: signature.publicKey,
  });
  const message = decided(
    { label: `${name}@${version}`, registry: registry.name, signer: result.signer, decision: status, comment },
    result.approval_status,
  );
  if (values.json) io.stdout(`${JSON.stringify({ package: name, version, sha256, ...result, message }, null, 2)}\n`);
  else {
    const color = message.mark === '✓' ? 'green' : message.mark === '✗' ? 'red' : 'yellow';
    line(paint(io, color, `${message.mark} ${message.text}`));
    if (message.detail) line(`  ${message.detail}`);
    if (message.next) line(`  ${message.next}`);
  }
  return EXIT.ok;
}
