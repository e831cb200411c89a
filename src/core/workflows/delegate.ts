import { AamError } from '../errors.ts';
import type { Delegate } from '../policy/checks.ts';
import { delegateNames, describeDelegate } from '../policy/delegation.ts';
import { normalizeFingerprint, parseIdentityPattern } from '../policy/identity.ts';
import { namePatternProblem } from '../policy/name-pattern.ts';
import { describeSigner } from '../policy/trust-match.ts';
import type { Signer } from '../policy/trust-match.ts';
import type { Registry } from '../registry/registry.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  documentId,
  parseDocument,
  readSignedDocumentFile,
  REVOCATION_TYPE,
  signedDocumentFile,
  verifySignedDocument,
} from '../signature/delegation-file.ts';
import type { DelegationDocument, SignedDocument } from '../signature/delegation-file.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { signBytes } from './publish.ts';
import type { Signing } from './publish.ts';

/** Who a delegation names, from what a user typed: a 40-hex fingerprint, else an identity pattern (issuer-pinned when given). */
export function delegateOf(to: string, issuer?: string): Delegate {
  const fingerprint = normalizeFingerprint(to);
  if (fingerprint) {
    if (issuer) throw new AamError('USAGE', '--issuer pins a Sigstore identity, not an OpenPGP key.');
    return { fingerprint };
  }
  const parsed = parseIdentityPattern(to);
  if (!parsed.ok)
    throw new AamError('USAGE', `--to "${to}" ${parsed.reason}.`, {
      hint: 'Name an identity (bob@example.com, github:acme/repo) or a full 40-hex OpenPGP fingerprint.',
    });
  if (issuer !== undefined && !/^https?:\/\/\S+$/.test(issuer))
    throw new AamError('USAGE', `--issuer must be an issuer URL, not "${issuer}".`);
  return issuer ? { identity: to, issuer } : { identity: to };
}

/** Signs a document and checks the signature, as every delegation file must verify before it is stored. */
async function signDocument(
  document: Buffer,
  signing: Signing,
  verifier: SignatureVerifier,
  line: (l: string) => void,
): Promise<{ signed: SignedDocument; signer: Signer }> {
  const signature = await signBytes(document, signing, line);
  const signed: SignedDocument = {
    document,
    signature: { type: signature.type, bytes: signature.bytes, publicKey: signature.publicKey },
  };
  const check = await verifySignedDocument(signed, verifier);
  if (check.state !== 'valid')
    throw new AamError(
      'SIGNATURE_INVALID',
      `The new signature does not verify: ${check.state === 'invalid' ? check.reason : 'no signature'}. Nothing was stored.`,
    );
  return { signed, signer: check.signer };
}

/**
 * Signs "DELEGATE may sign packages matching PATTERN until UNTIL" and stores
 * it in the registry's delegations. Whether it trusts anyone is for each
 * reader's policy: only a delegation signed by a signer they trust counts.
 */
export async function delegateSigning(options: {
  registry: Registry;
  pattern: string;
  delegate: Delegate;
  until: Date;
  maxDepth: number;
  signing: Signing;
  verifier: SignatureVerifier;
  now?: Date;
  onLine?: (line: string) => void;
}): Promise<{ id: string; document: DelegationDocument; signer: Signer }> {
  const line = options.onLine ?? (() => undefined);
  const now = options.now ?? new Date();
  const problem = namePatternProblem(options.pattern);
  if (problem) throw new AamError('USAGE', `${problem}.`);
  if (Number.isNaN(options.until.getTime()) || options.until <= now)
    throw new AamError(
      'USAGE',
      `A delegation ends in the future; --until ${options.until.toISOString?.() ?? ''} has passed.`,
    );
  if (!Number.isSafeInteger(options.maxDepth) || options.maxDepth < 0 || options.maxDepth > 3)
    throw new AamError('USAGE', '--max-depth is a number from 0 (the delegate may not delegate) to 3.');
  const document: DelegationDocument = {
    type: DELEGATION_TYPE,
    pattern: options.pattern,
    delegate: options.delegate,
    until: options.until.toISOString(),
    issued_at: now.toISOString(),
    max_depth: options.maxDepth,
  };
  line(`Delegating ${options.pattern} to ${describeDelegate(options.delegate)} until ${document.until}...`);
  const bytes = documentBytes(document);
  const { signed, signer } = await signDocument(bytes, options.signing, options.verifier, line);
  if (delegateNames(options.delegate, signer))
    throw new AamError('USAGE', `${describeSigner(signer)} cannot delegate to itself.`);
  await options.registry.addDelegation(signedDocumentFile(signed));
  const id = documentId(bytes);
  line(
    `✓ Delegation ${id.slice(7, 19)} signed by ${describeSigner(signer)}, stored in registry ${options.registry.name}`,
  );
  return { id, document, signer };
}

/** A registry's delegations and revocations, each with its signer (or why it has none). */
export async function listDelegations(
  registry: Registry,
  verifier: SignatureVerifier,
): Promise<
  { id: string; kind: 'delegation' | 'revocation'; text: string; signer: Signer | undefined; problem?: string }[]
> {
  const out = [];
  for (const file of await registry.readDelegations()) {
    const signed = readSignedDocumentFile(file.name, file.bytes);
    if ('problem' in signed) continue;
    const parsed = parseDocument(signed.document);
    if (!parsed) continue;
    const check = await verifySignedDocument(signed, verifier);
    const text =
      parsed.kind === 'delegation'
        ? `${parsed.document.pattern} → ${describeDelegate(parsed.document.delegate)} until ${parsed.document.until}${parsed.document.max_depth > 0 ? ` (may re-delegate ${parsed.document.max_depth} deep)` : ''}`
        : `revokes ${parsed.document.delegation.slice(7, 19)}${parsed.document.reason ? `: ${parsed.document.reason}` : ''}`;
    out.push({
      id: documentId(signed.document),
      kind: parsed.kind,
      text,
      signer: check.state === 'valid' ? check.signer : undefined,
      ...(check.state === 'invalid' ? { problem: check.reason } : {}),
    });
  }
  return out;
}

/** Signs and stores a revocation of the delegation whose id starts with `prefix` (at least 8 hex digits). */
export async function revokeDelegation(options: {
  registry: Registry;
  prefix: string;
  reason: string;
  signing: Signing;
  verifier: SignatureVerifier;
  now?: Date;
  onLine?: (line: string) => void;
}): Promise<{ id: string; delegation: string; signer: Signer }> {
  const line = options.onLine ?? (() => undefined);
  const delegation = `sha256:${(await delegationNamed(options.registry, options.prefix, '--revoke')).replace(/\.json$/, '')}`;
  const bytes = documentBytes({
    type: REVOCATION_TYPE,
    delegation,
    reason: options.reason,
    revoked_at: (options.now ?? new Date()).toISOString(),
  });
  line(`Revoking delegation ${delegation.slice(7, 19)}...`);
  const { signed, signer } = await signDocument(bytes, options.signing, options.verifier, line);
  await options.registry.addDelegation(signedDocumentFile(signed));
  line(`✓ Revoked by ${describeSigner(signer)}`);
  return { id: documentId(bytes), delegation, signer };
}

/** The file name of the one delegation of `registry` whose id starts with `prefix` (at least 8 hex digits). */
async function delegationNamed(registry: Registry, prefix: string, option: string): Promise<string> {
  const wanted = prefix.replace(/^sha256:/, '').toLowerCase();
  if (!/^[0-9a-f]{8,64}$/.test(wanted))
    throw new AamError(
      'USAGE',
      `${option} names a delegation by its id (at least 8 hex digits, as delegate --list shows).`,
    );
  const matches = (await registry.readDelegations()).filter((f) => {
    const signed = readSignedDocumentFile(f.name, f.bytes);
    return f.name.startsWith(wanted) && !('problem' in signed) && parseDocument(signed.document)?.kind === 'delegation';
  });
  if (matches.length !== 1)
    throw new AamError(
      'USAGE',
      matches.length === 0
        ? `Registry "${registry.name}" has no delegation ${wanted}.`
        : `${wanted} names ${matches.length} delegations; give more digits.`,
    );
  return matches[0]!.name;
}

/**
 * Removes a delegation from a registry (its operator, to make room: an HTTP
 * registry asks for an admin token). Revocations stay; a client that captured
 * the delegation at install keeps it.
 */
export async function removeDelegation(registry: Registry, prefix: string): Promise<string> {
  const name = await delegationNamed(registry, prefix, '--remove');
  await registry.removeDelegation(name);
  return `sha256:${name.replace(/\.json$/, '')}`;
}
