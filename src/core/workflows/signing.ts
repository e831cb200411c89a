import type { IdentityProvider } from '@sigstore/sign';
import { AamError } from '../errors.ts';
import type { SignatureCheck } from '../policy/decision.ts';
import { describeSigner, signerKeyOf } from '../policy/trust-match.ts';
import type { Signer } from '../policy/trust-match.ts';
import type { SignatureToStore } from '../registry/registry.ts';
import type { SigningEndpoints } from '../sigstore/endpoints.ts';
import type { RetryPolicy } from '../sigstore/sign.ts';
import type { PassphrasePrompt, SigningKeySource } from '../openpgp/sign.ts';
import { verifySignedDocument } from '../signature/delegation-file.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { STEP } from '../messages/steps.ts';
import type { Signed } from '../messages/steps.ts';

/**
 * Signing what is published, co-signed or approved: with Sigstore or an
 * OpenPGP key, each new signature checked before anything is stored, and
 * how a signature is described where it is kept. publish.ts and cosign.ts
 * sign through here.
 */

export type Signing =
  | {
      method: 'sigstore';
      endpoints: SigningEndpoints;
      identityProvider: IdentityProvider;
      retry?: RetryPolicy;
      timeoutMs?: number;
    }
  | { method: 'gpg'; keySource: SigningKeySource; prompt: PassphrasePrompt };

/**
 * Signs `bytes` with each signing, and checks each new signature with the
 * verifier before anything is stored; the same signer twice is refused (one
 * signer adds nothing to a threshold, and would be a mistake to hide).
 */
export async function signAll(
  bytes: Buffer,
  signings: readonly Signing[],
  verifier: SignatureVerifier,
  options: {
    line: (l: string) => void;
    onStep?: ((step: 'pack' | 'sign' | 'verify' | 'publish') => void) | undefined;
    checkCancel: () => void;
    /** What the error says was not done ("Nothing was published."). */
    what: string;
    /** Signers already on the version (a co-signature adds a new one). */
    already?: readonly Signer[];
  },
): Promise<(SignatureToStore & { signer: Signer })[]> {
  const out: (SignatureToStore & { signer: Signer })[] = [];
  for (const signing of signings) {
    options.onStep?.('sign');
    const signed =
      signing.method === 'sigstore'
        ? await signSigstore(bytes, signing, options.line, 'package')
        : await signGpg(bytes, signing, options.line, 'package');
    options.checkCancel();
    options.onStep?.('verify');
    // A key file's public key may be in no keyring yet: the signature is checked with the key that made it.
    const check = await verifySignedDocument(
      {
        document: bytes,
        signature: {
          type: signed.type,
          bytes: signed.bytes,
          publicKey: 'publicKey' in signed ? signed.publicKey : undefined,
        },
      },
      verifier,
    );
    if (check.state !== 'valid') {
      throw new AamError(
        'SIGNATURE_INVALID',
        `The new signature does not verify: ${check.state === 'invalid' ? check.reason : 'no signature'}. ${options.what}`,
        {
          hint:
            signed.type === 'sigstore'
              ? 'sigstore_trusted_root must describe the Sigstore instance you sign with (sigstore_endpoint).'
              : 'Check the signing key.',
        },
      );
    }
    const twice = [...(options.already ?? []), ...out.map((o) => o.signer)].find(
      (s) => signerKeyOf(s) === signerKeyOf(check.signer),
    );
    if (twice)
      throw new AamError(
        'USAGE',
        `${describeSigner(check.signer)} already signed this: a second signature by the same signer adds nothing. ${options.what}`,
        {
          hint: 'Sign with another key or identity, or drop the repeated one.',
        },
      );
    out.push({
      type: signed.type,
      bytes: signed.bytes,
      record: recordOf(check),
      signer: check.signer,
      ...('publicKey' in signed && signed.publicKey ? { publicKey: signed.publicKey } : {}),
    });
    describeSignature(check, options.line);
  }
  return out;
}

async function signSigstore(
  archive: Buffer,
  signing: Extract<Signing, { method: 'sigstore' }>,
  line: (l: string) => void,
  what: Signed,
) {
  line(`${STEP.signing(what, 'sigstore')}...`);
  const { tokenIdentity } = await import('../sigstore/identity/token.ts');
  const { signWithSigstore } = await import('../sigstore/sign.ts');
  const provider: IdentityProvider = {
    async getToken() {
      const token = await signing.identityProvider.getToken();
      line(`→ Authenticated as: ${tokenIdentity(token).identity}`);
      return token;
    },
  };
  const signature = await signWithSigstore(archive, {
    endpoints: signing.endpoints,
    identityProvider: provider,
    retry: signing.retry,
    timeoutMs: signing.timeoutMs,
  });
  line(`→ ${STEP.signed(what)}`);
  return { type: 'sigstore' as const, bytes: signature.bytes };
}

async function signGpg(
  archive: Buffer,
  signing: Extract<Signing, { method: 'gpg' }>,
  line: (l: string) => void,
  what: Signed,
) {
  line(`${STEP.signing(what, 'gpg')}...`);
  const { loadSigningKey, signDetached } = await import('../openpgp/sign.ts');
  const key = await loadSigningKey(signing.keySource, signing.prompt);
  line(`→ Using key: ${key.userIds[0] ?? key.fingerprint} (${key.fingerprint})`);
  const bytes = await signDetached(archive, key);
  line(`→ ${STEP.signed(what)}`);
  // An HTTP registry checks the signature before it accepts it: it gets the public key with it (spec §5.4.2).
  return { type: 'gpg' as const, bytes, publicKey: key.key.toPublic().armor() };
}

/**
 * Signs any bytes the way a package is signed (an approval document, say):
 * a Sigstore bundle, or a detached OpenPGP signature with its public key.
 * `what` names what is signed in the transcript: an approval is not a package.
 */
export async function signBytes(
  data: Buffer,
  signing: Signing,
  line: (l: string) => void = () => undefined,
  what: Signed = 'package',
): Promise<{ type: 'sigstore' | 'gpg'; bytes: Buffer; publicKey?: string }> {
  return signing.method === 'sigstore' ? signSigstore(data, signing, line, what) : signGpg(data, signing, line, what);
}

/** How a verified signature is described where it is stored (registry metadata, the HTTP registry's database). */
export function recordOf(check: Extract<SignatureCheck, { state: 'valid' }>): SignatureToStore['record'] {
  const signer = check.signer;
  if (signer.type === 'gpg')
    return { fingerprint: signer.fingerprint, identity: signer.userIds[0], signed_at: signer.signedAt };
  return {
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    transparency_log: signer.tlog ? { log_index: signer.tlog.logIndex, url: signer.tlog.url } : undefined,
    signed_at: signer.signedAt,
  };
}

function describeSignature(check: Extract<SignatureCheck, { state: 'valid' }>, line: (l: string) => void): void {
  const signer = check.signer;
  line('Signed with:');
  if (signer.type === 'gpg') {
    line(`  Key: ${signer.fingerprint}`);
    if (signer.userIds[0]) line(`  Signed by: ${signer.userIds[0]}`);
    return;
  }
  line(`  Identity: ${signer.identity.san}`);
  line(`  Issuer: ${signer.identity.issuer ?? 'unknown'}`);
  if (signer.tlog)
    line(`  Transparency log: ${signer.tlog.url ?? ''}/api/v1/log/entries?logIndex=${signer.tlog.logIndex}`);
}
