/**
 * The steps a workflow reports while it works, said once: the CLI prints
 * them in its transcript (with "..."), VS Code shows them in a progress
 * notification (with "…"), and each names what is being done to what — an
 * approval is signed as an approval, not as a package.
 */

/** What is being signed. */
export type Signed = 'package' | 'approval' | 'rejection';

const methodName = (method: 'sigstore' | 'gpg') => (method === 'sigstore' ? 'Sigstore' : 'GPG');
const capital = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

export const STEP = {
  packing: (label: string) => `Packing ${label}`,
  signing: (what: Signed, method: 'sigstore' | 'gpg') => `Signing ${what} with ${methodName(method)}`,
  signed: (what: Signed) => `${capital(what)} signed successfully`,
  verifyingSignature: () => 'Verifying the new signature',
  publishing: (registry: string) => `Publishing to registry ${registry}`,
  fetchingArchive: (label: string) => `Downloading and hashing the archive of ${label}`,
  deciding: (decision: 'approved' | 'rejected', label: string, registry: string, sha256: string) =>
    `${decision === 'approved' ? 'Approving' : 'Rejecting'} ${label} on ${registry} (archive sha256:${sha256})`,
  sending: (what: Signed, registry: string) => `Sending the ${what} to ${registry}`,
} as const;
