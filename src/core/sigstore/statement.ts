import { createHash } from 'node:crypto';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const STATEMENT_TYPES = new Set(['https://in-toto.io/Statement/v1', 'https://in-toto.io/Statement/v0.1']);

/**
 * The in-toto predicate type that makes a DSSE statement a signature of an
 * AAM package: "the subject is this package, and its signer vouches for it".
 * Other predicates (build provenance, SBOMs, test results) say something
 * else about their subjects and never count as a package signature.
 */
export const PACKAGE_SIGNATURE_PREDICATE = 'https://aam-trust.dev/package-signature/v1';

/**
 * Why a DSSE statement does not sign `artifact` as a package, or undefined
 * when it does: an in-toto statement with the package-signature predicate
 * whose subjects include the artifact's SHA-256. (The package's name and
 * version are the archive's own manifest, which the subject digest binds.)
 */
export function checkStatementBinds(payloadType: string, payload: Buffer, artifact: Buffer): string | undefined {
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return `the DSSE envelope carries ${JSON.stringify(payloadType)}, not an in-toto statement about this package`;
  let statement: { _type?: unknown; subject?: unknown; predicateType?: unknown };
  try {
    statement = JSON.parse(payload.toString('utf8')) as typeof statement;
  } catch {
    return 'the in-toto statement is not JSON';
  }
  if (!statement || typeof statement !== 'object' || !STATEMENT_TYPES.has(statement._type as string))
    return 'the DSSE payload is not an in-toto statement';
  const hex = createHash('sha256').update(artifact).digest('hex');
  const subjects = Array.isArray(statement.subject)
    ? (statement.subject as { digest?: Record<string, unknown> }[])
    : [];
  if (!subjects.some((s) => typeof s?.digest?.sha256 === 'string' && s.digest.sha256.toLowerCase() === hex)) {
    return `the in-toto statement is about other artifacts: sha256:${hex} is not among its subjects`;
  }
  if (statement.predicateType !== PACKAGE_SIGNATURE_PREDICATE) {
    return `the in-toto statement is a ${JSON.stringify(statement.predicateType)} attestation, not a package signature (${PACKAGE_SIGNATURE_PREDICATE})`;
  }
  return undefined;
}
