import type { RegistryEntry } from '../../config/settings.ts';
import type { Checks } from '../../policy/checks.ts';
import { delegationsDirIn } from '../../registry/layout.ts';
import { delegationsUnread, readDelegationFiles } from '../../registry/local-signatures.ts';
import { checkDelegationFiles } from '../../signature/delegation-file.ts';
import type { SignatureVerifier } from '../../signature/verifier.ts';
import { evidenceSource } from '../../verify/evidence/sources.ts';
import type { ProjectState } from './state.ts';

/** Per package, the delegations and revocations that a side judged from records weighs its signers with. */
export type RecordedDelegations = ReadonlyMap<
  string,
  Pick<Checks, 'delegations' | 'revocations' | 'delegationsUnread'>
>;

/**
 * The delegations a state's lock file says its signers were trusted through,
 * as documents: read where an install keeps them (the evidence cache) and in
 * the package's registry, each signature checked as verification checks it.
 * Only packages whose lock entry names a delegation are looked at: for the
 * others the records say all there is.
 */
export async function recordedDelegations(
  state: ProjectState,
  options: { verifier: SignatureVerifier; cacheDir: string; registries: readonly RegistryEntry[] },
): Promise<RecordedDelegations> {
  const found = new Map<string, Pick<Checks, 'delegations' | 'revocations' | 'delegationsUnread'>>();
  const filesOf = new Map<string, Promise<{ name: string; bytes: Buffer }[]>>();
  const read = (root: string) => {
    let files = filesOf.get(root);
    if (!files) filesOf.set(root, (files = readDelegationFiles(root)));
    return files;
  };
  for (const [name, entry] of Object.entries(state.lock.packages)) {
    const named = [entry.signature, ...(entry.cosignatures ?? [])].some((s) => (s?.delegations?.length ?? 0) > 0);
    if (!named) continue;
    const registry = evidenceSource(entry, options.registries, options.cacheDir, false).registry?.root;
    const files = new Map<string, Buffer>();
    let unread: string | undefined;
    for (const root of [...(registry ? [registry] : []), options.cacheDir]) {
      const held = await read(root);
      unread ??= delegationsUnread(delegationsDirIn(root), held.length);
      for (const file of held) files.set(file.name, file.bytes);
    }
    found.set(
      name,
      await checkDelegationFiles(
        [...files].map(([file, bytes]) => ({ name: file, bytes })),
        options.verifier,
        name,
        unread,
      ),
    );
  }
  return found;
}
