import type { ApprovalDocument } from './approval.ts';
import { SIGNATURE_SUFFIX } from './layout.ts';
import type { PublishRequest, SignatureToStore } from './registry.ts';

/** The multipart body of a publish (spec §3.3): the archive, its first signature, and the name confirmed. */
export function publishForm(
  archive: Buffer,
  version: string,
  signature: SignatureToStore | undefined,
  request: PublishRequest,
): FormData {
  const form = new FormData();
  form.append('archive', new Blob([new Uint8Array(archive)], { type: 'application/gzip' }), `${version}.aam`);
  if (signature) {
    form.append(
      'signature',
      new Blob([new Uint8Array(signature.bytes)]),
      `${version}.aam${SIGNATURE_SUFFIX[signature.type]}`,
    );
    form.append('signature_type', signature.type);
    if (signature.publicKey) form.append('public_key', signature.publicKey);
  }
  if (request.confirmName) form.append('confirm_name', request.confirmName);
  return form;
}

/** The JSON body of an approval or rejection: the signed document, its signature, and how it was signed. */
export function approvalBody(
  document: ApprovalDocument,
  approval: { document: Buffer; signature: Buffer; signatureType: 'sigstore' | 'gpg'; publicKey?: string | undefined },
): string {
  return JSON.stringify({
    status: document.status,
    comment: document.comment,
    document: approval.document.toString('base64'),
    signature: approval.signature.toString('base64'),
    signature_type: approval.signatureType,
    ...(approval.publicKey ? { public_key: approval.publicKey } : {}),
  });
}
