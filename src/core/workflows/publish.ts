import { AamError } from '../errors.ts';
import { sha256 } from '../archive/hash.ts';
import { packDirectory } from '../package/pack.ts';
import type { PackedArchive } from '../package/pack.ts';
import { secretFilesWarning, secretLookingFiles } from '../package/secret-files.ts';
import { readArchive } from '../archive/read.ts';
import { hiddenFiles } from '../content/scan.ts';
import type { HiddenFile } from '../content/scan.ts';
import { hiddenLine } from '../content/describe.ts';
import type { FailureMode } from '../policy/decision.ts';
import type { Registry, SignatureToStore } from '../registry/registry.ts';
import type { SignatureRecord } from '../registry/metadata.ts';
import type { SignatureVerifier } from '../signature/verifier.ts';
import { HttpRegistry } from '../registry/http-registry.ts';
import { say } from '../messages/outcomes.ts';
import type { Message, SignedWith } from '../messages/outcomes.ts';
import { STEP } from '../messages/steps.ts';
import { signAll } from './signing.ts';
import type { Signing } from './signing.ts';
import { checkPublishAnswer, sentRecords } from './publish-answer.ts';

export { recordOf, signAll, signBytes } from './signing.ts';
export type { Signing } from './signing.ts';

/**
 * What is published: a package folder, packed here, or an archive packed
 * already (the editor packs before it asks, so what it signs is what the
 * publisher confirmed).
 */
export type PublishOptions = PublishSettings & ({ packageDir: string } | { packed: PackedArchive });

export interface PublishSettings {
  registry: Registry;
  /** Undefined or none publishes unsigned (refused by registries that require signatures); several sign together. */
  signing: Signing | readonly Signing[] | undefined;
  /** Checks the new signature before anything is stored. */
  verifier: SignatureVerifier;
  /** The policy's hidden_content: anything but `ignore` refuses a package with hidden content (default `warn`). */
  hiddenContent?: FailureMode;
  /** Transcript lines, in the tone of the AAM CLI. */
  onLine?: (line: string) => void;
  /** Warnings about what is published (files that look like secrets); the CLI prints them on stderr. */
  onWarning?: (warning: string) => void;
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
  if ('packageDir' in options) options.onStep?.('pack');
  const packed = 'packed' in options ? options.packed : await packDirectory(options.packageDir);
  const label = `${packed.manifest.name}@${packed.manifest.version}`;
  line(`${STEP.packing(label)}...`);
  line(`→ ${packed.files.length} files, ${formatSize(packed.bytes.length)}, ${packed.checksum}`);
  for (const skipped of packed.skipped) line(`→ Skipped ${skipped}`);
  const secrets = secretFilesWarning(secretLookingFiles(packed.files.map((f) => f.path)));
  if (secrets) options.onWarning?.(secrets);
  await refuseHiddenIn(packed, options.hiddenContent);
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
  // The checksum of the bytes sent, not a field an already-packed archive was handed over with.
  const checksum = sha256(packed.bytes);
  checkPublishAnswer(options.registry.name, label, { checksum, signatures }, result.entry);
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
    checksum,
    archivePath: result.archivePath,
    // Who signed is what was signed and verified here, not what the registry lists.
    signatures: sentRecords(packed.manifest.version, signatures),
    skipped: packed.skipped,
    ...(approval ? { approval } : {}),
    message,
  };
}

/** Refused before signing: a signature would vouch for text the signer may never have seen. */
export async function refuseHiddenIn(packed: PackedArchive, mode: FailureMode | undefined): Promise<void> {
  if ((mode ?? 'warn') === 'ignore') return;
  const contents = await readArchive(packed.bytes);
  refuseHidden(hiddenFiles(contents.files), `${packed.manifest.name}@${packed.manifest.version}`);
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
