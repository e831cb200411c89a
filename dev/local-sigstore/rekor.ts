import { createHash } from 'node:crypto';

/**
 * Rekor stores a DSSE entry in canonical form (hashes and signatures with
 * their verifiers), not as the client proposed it; the mock logs proposals
 * verbatim. This does the server's part so DSSE entries verify as they would
 * against real Rekor. Other kinds are already canonical when proposed.
 */
export function canonicalizeProposedEntry(body: string): string {
  let entry: {
    kind?: string;
    apiVersion?: string;
    spec?: { proposedContent?: { envelope?: string; verifiers?: string[] } };
  };
  try {
    entry = JSON.parse(body) as typeof entry;
  } catch {
    return body;
  }
  const proposed = entry.spec?.proposedContent;
  if (entry.kind !== 'dsse' || !proposed?.envelope) return body;
  const envelope = JSON.parse(proposed.envelope) as { payload: string; signatures: { sig: string }[] };
  const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  return JSON.stringify({
    apiVersion: entry.apiVersion ?? '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(proposed.envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope.payload, 'base64')) },
      signatures: envelope.signatures.map((s, i) => ({
        signature: s.sig,
        verifier: proposed.verifiers?.[i] ?? proposed.verifiers?.[0] ?? '',
      })),
    },
  });
}
