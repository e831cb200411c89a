import type { IdentityProvider } from '@sigstore/sign';
import { AamError } from '../errors.ts';
import { packDirectory } from '../package/pack.ts';
import { readArchive } from '../archive/read.ts';
import { hiddenFiles } from '../content/scan.ts';
import type { HiddenFile } from '../content/scan.ts';
import { hiddenLine } from '../content/describe.ts';
import type { FailureMode, SignatureCheck } from '../policy/decision.ts';
import type { Registry, SignatureToStore } from '../registry/registry.ts';
import type { SignatureRecord } from '../registry/metadata.ts';
import type { SigningEndpoints } from '../sigstore/endpoints.ts';
import type { RetryPolicy } from '../sigstore/sign.ts';
import type { PassphrasePrompt, SigningKeySource } from '../openpgp/sign.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { verifySignedDocument } from '../signature/delegation-file.ts';
import { describeSigner, signerKeyOf } from '../policy/trust-match.ts';
import type { Signer } from '../policy/trust-match.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import { say } from '../messages/outcomes.ts';
import type { Message, SignedWith } from '../messages/outcomes.ts';
import { STEP } from '../messages/steps.ts';
import type { Signed } from '../messages/steps.ts';

export type Signing =
  | {
      method: 'sigstore';
      endpoints: SigningEndpoints;
      identityProvider: IdentityProvider;
      retry?: RetryPolicy;
      timeoutMs?: number;
    }
  | { method: 'gpg'; keySource: SigningKeySource; prompt: PassphrasePrompt };

export interface PublishOptions {
  packageDir: string;
  registry: Registry;
  /** Undefined or none publishes unsigned (refused by registries that require signatures); several sign together. */
  signing: Signing | readonly Signing[] | undefined;
  /** Checks the new signature before anything is stored. */
  verifier: SignatureVerifier;
  /** The policy's hidden_content: anything but `ignore` refuses a package with hidden content (default `warn`). */
  hiddenContent?: FailureMode;
  /** Transcript lines, in the tone of the AAM CLI. */
  onLine?: (line: string) => void;
  /** Progress for the editor: a short step name. */
  onStep?: (step: 'pack' | 'sign' | 'verify' | 'publish') => void;
  signal?: AbortSignal;
  /** A new name like a popular package's, confirmed as not meant to pass for it (HTTP registries). */
  confirmName?: string | undefined;
}

export interface PublishOutcome {
  name: string;
  version: string;
  checksum: string;
  archivePath: string;
  signatures: SignatureRecord[];
  skipped: string[];
  /** `pending`: the registry keeps the version waiting until one of its approvers approves it. */
  approval?: 'pending' | 'rejected';
  /** What happened, in the words every surface says it with (messages/outcomes.ts). */
  message: Message;
}

/** Pack → checksum → sign → verify the signature → publish. Nothing is stored unless every step before succeeded. */
export async function publishPackage(options: PublishOptions): Promise<PublishOutcome> {
  const line = options.onLine ?? (() => undefined);
  const checkCancel = () => {
    if (options.signal?.aborted) throw new AamError('CANCELLED', 'Publishing was cancelled; nothing was published.');
  };
  options.onStep?.('pack');
  const packed = await packDirectory(options.packageDir);
  const label = `${packed.manifest.name}@${packed.manifest.version}`;
  line(`${STEP.packing(label)}...`);
  line(`→ ${packed.files.length} files, ${formatSize(packed.bytes.length)}, ${packed.checksum}`);
  for (const skipped of packed.skipped) line(`→ Skipped ${skipped}`);
  // Refused before signing: a signature would vouch for text the signer may never have seen.
  if ((options.hiddenContent ?? 'warn') !== 'ignore') {
    const contents = await readArchive(packed.bytes);
    refuseHidden(hiddenFiles(contents.files), label);
  }
  const signings =
    options.signing === undefined ? [] : Array.isArray(options.signing) ? options.signing : [options.signing];
  // Refused before signing: nothing is signed (and logged publicly) for a publish that cannot happen.
  const refused = await options.registry.refusal(packed.manifest.name, packed.manifest.version, signings.length > 0);
  if (refused) throw refused;
  checkCancel();
  const signatures = await signAll(packed.bytes, signings, options.verifier, {
    line,
    onStep: options.onStep,
    checkCancel,
    what: 'Nothing was published.',
  });
  checkCancel();
  options.onStep?.('publish');
  line(`${STEP.publishing(options.registry.name)}...`);
  const result = await options.registry.publish(packed.bytes, signatures, { confirmName: options.confirmName });
  const approval = result.entry.approval;
  const signature = signedWithOf(signatures[0]);
  const message =
    approval === 'pending'
      ? say('PUBLISHED_PENDING_APPROVAL', {
          label,
          registry: options.registry.name,
          signature,
          approvers: await approversOf(options.registry),
        })
      : say('PUBLISHED', { label, registry: options.registry.name, signature });
  line(`${message.mark} ${message.text}`);
  if (message.detail) line(`  ${message.detail}`);
  if (message.next) line(`  ${message.next}`);
  // The message names the first signer; several signed together, and the transcript says how many.
  if (signatures.length > 1) line(`✓ ${signatures.length} signatures uploaded`);
  return {
    name: packed.manifest.name,
    version: packed.manifest.version,
    checksum: packed.checksum,
    archivePath: result.archivePath,
    signatures: result.entry.signatures ?? [],
    skipped: packed.skipped,
    ...(approval ? { approval } : {}),
    message,
  };
}

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

/** Who the registry's approvers are, when it says; a publish is not failed for not knowing. */
async function approversOf(registry: Registry): Promise<string[] | undefined> {
  if (!(registry instanceof HttpRegistry)) return undefined;
  return registry.publishPolicy().then(
    (p) => p.approvers,
    () => undefined,
  );
}

function signedWithOf(signature: SignatureToStore | undefined): SignedWith | undefined {
  if (!signature) return undefined;
  const record = signature.record as { identity?: string; fingerprint?: string };
  return { method: signature.type, signer: record.identity ?? record.fingerprint };
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

/** Refuses a package whose files hold hidden content, naming every place (path:line:column) and what each says. */
export function refuseHidden(files: readonly HiddenFile[], label: string, what = 'published'): void {
  if (files.length === 0) return;
  const lines = files.flatMap((f) => f.items.map((item) => `  ${hiddenLine(f.path, item)}`));
  const total = files.reduce((n, f) => n + f.count, 0);
  throw new AamError(
    'HIDDEN_CONTENT',
    `${label} was not ${what}: its files hold ${total} piece${total === 1 ? '' : 's'} of hidden content that a reviewer cannot see but an agent reads:\n${lines.join('\n')}`,
    {
      hint: 'Remove the hidden text (or make it visible), then try again. If it is intended, set security.hidden_content: ignore.',
      expected: 'no hidden content',
      actual: lines[0]!.trim(),
    },
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1048576).toFixed(1)} MB`;
}
