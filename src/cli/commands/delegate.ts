import { assertUsablePolicy } from '../../core/config/load.ts';
import { AamError } from '../../core/errors.ts';
import { describeSigner } from '../../core/policy/trust-match.ts';
import { findRegistry } from '../../core/registry/open.ts';
import {
  delegateOf,
  delegateSigning,
  listDelegations,
  removeDelegation,
  revokeDelegation,
} from '../../core/workflows/delegate.ts';
import { COMMON, parse } from '../args.ts';
import { commandContext } from '../context.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';
import { oneSigningFor, SIGNING_HELP, SIGNING_OPTIONS } from '../signing.ts';

export const DELEGATE_HELP = `Usage: aam-trust delegate PATTERN --to IDENTITY|FINGERPRINT --until DATE [--issuer URL]
                          [--max-depth N] [--registry NAME] [signing options]
       aam-trust delegate --revoke ID [--reason TEXT] [--registry NAME] [signing options]
       aam-trust delegate --list [--registry NAME] [--json]
       aam-trust delegate --remove ID [--registry NAME]

Signs a delegation: "IDENTITY (or the OpenPGP key FINGERPRINT) may sign
packages matching PATTERN until DATE", and stores it in the registry beside
the packages it covers. PATTERN is a package name, @scope/* or *. A delegate's
signature counts for consumers whose policy trusts you (and allows delegation,
security.allow_delegation), for packages the pattern covers, when it was made
before DATE. --issuer pins the delegate's OIDC issuer; --max-depth N lets the
delegate delegate further, N levels deep (default 0: it may not). --revoke ends
a delegation (by the id --list shows) for every signature made through it.
--remove takes a delegation out of the registry, its operator's way to make
room (an HTTP registry keeps 128; it asks for the operator's token): revocations
stay, and consumers who installed through it keep it.

${SIGNING_HELP}`;

export async function delegateCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('delegate', argv, {
    ...COMMON,
    ...SIGNING_OPTIONS,
    registry: { type: 'string' },
    to: { type: 'string' },
    issuer: { type: 'string' },
    until: { type: 'string' },
    'max-depth': { type: 'string' },
    revoke: { type: 'string' },
    reason: { type: 'string' },
    list: { type: 'boolean' },
    remove: { type: 'string' },
  });
  if (values.help) {
    io.stdout(`${DELEGATE_HELP}\n`);
    return EXIT.ok;
  }
  const modes = [values.list, values.revoke !== undefined, values.remove !== undefined, positionals.length > 0].filter(
    Boolean,
  ).length;
  if (modes !== 1)
    throw new AamError('USAGE', 'delegate takes one PATTERN, or --revoke ID, --remove ID or --list.', {
      hint: DELEGATE_HELP,
    });
  const ctx = await commandContext(io, values);
  assertUsablePolicy(ctx.config);
  const registry = findRegistry(ctx.config.registries, values.registry, { homeDir: io.homeDir, env: io.env });
  const line = values.json ? () => undefined : (text: string) => io.stdout(`${text}\n`);
  if (values.list) {
    const listed = await listDelegations(registry, ctx.verifier);
    if (values.json)
      io.stdout(
        `${JSON.stringify(
          listed.map((d) => ({ ...d, signer: d.signer && describeSigner(d.signer) })),
          null,
          2,
        )}\n`,
      );
    else if (listed.length === 0) line(`Registry ${registry.name} keeps no delegations.`);
    else
      for (const d of listed)
        line(
          `${d.id.slice(7, 19)}  ${d.text}  — ${d.signer ? `signed by ${describeSigner(d.signer)}` : `not validly signed (${d.problem ?? 'no signature'})`}`,
        );
    return EXIT.ok;
  }
  if (values.remove !== undefined) {
    const removed = await removeDelegation(registry, values.remove);
    line(`✓ Removed delegation ${removed.slice(7, 19)} from registry ${registry.name}`);
    if (values.json) io.stdout(`${JSON.stringify({ id: removed }, null, 2)}\n`);
    return EXIT.ok;
  }
  const signing = await oneSigningFor(io, ctx, values, 'delegate');
  if (values.revoke !== undefined) {
    const revoked = await revokeDelegation({
      registry,
      prefix: values.revoke,
      reason: values.reason ?? '',
      signing,
      verifier: ctx.verifier,
      onLine: line,
    });
    if (values.json) io.stdout(`${JSON.stringify({ ...revoked, signer: describeSigner(revoked.signer) }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new AamError('USAGE', 'delegate takes one PATTERN.', { hint: DELEGATE_HELP });
  if (!values.to) throw new AamError('USAGE', 'delegate needs --to IDENTITY|FINGERPRINT: whom it lets sign.');
  if (!values.until) throw new AamError('USAGE', 'delegate needs --until DATE: a delegation always ends (2027-06-30).');
  const until = new Date(/^\d{4}-\d{2}-\d{2}$/.test(values.until) ? `${values.until}T23:59:59.999Z` : values.until);
  if (Number.isNaN(until.getTime()))
    throw new AamError('USAGE', `--until "${values.until}" is not a date (2027-06-30, or an ISO time).`);
  const depth = values['max-depth'] === undefined ? 0 : Number(values['max-depth']);
  const delegated = await delegateSigning({
    registry,
    pattern: positionals[0]!,
    delegate: delegateOf(values.to, values.issuer),
    until,
    maxDepth: depth,
    signing,
    verifier: ctx.verifier,
    onLine: line,
  });
  if (values.json)
    io.stdout(`${JSON.stringify({ ...delegated, signer: describeSigner(delegated.signer) }, null, 2)}\n`);
  return EXIT.ok;
}
