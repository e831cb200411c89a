import { createHash, createPublicKey } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AamError } from '../../core/errors.ts';
import { parse } from '../args.ts';
import { EXIT } from '../io.ts';
import type { CliIo } from '../io.ts';

export const CONFORMANCE_HELP = `Usage (sigstore-conformance CLI protocol):
  aam-trust sign-bundle [--staging] [--in-toto] --identity-token TOKEN --bundle FILE
                        [--trusted-root FILE] [--signing-config FILE] FILE
  aam-trust verify-bundle [--staging] --bundle FILE
                          (--certificate-identity ID --certificate-oidc-issuer URL | --key PEM)
                          [--trusted-root FILE] FILE_OR_DIGEST

FILE_OR_DIGEST is a path, or sha256:<hex> when that is not a file on disk.
Without --trusted-root the production Sigstore root is used, offline.`;

const STAGING = { fulcio: 'https://fulcio.sigstage.dev', rekor: 'https://rekor.sigstage.dev', tsa: undefined };
const IN_TOTO = 'application/vnd.in-toto+json';

export async function signBundleCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('sign-bundle', argv, {
    staging: { type: 'boolean' },
    'in-toto': { type: 'boolean' },
    'identity-token': { type: 'string' },
    bundle: { type: 'string' },
    'trusted-root': { type: 'string' },
    'signing-config': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${CONFORMANCE_HELP}\n`);
    return EXIT.ok;
  }
  if (!values['identity-token'] || !values.bundle || positionals.length !== 1) {
    throw new AamError('USAGE', 'sign-bundle needs --identity-token, --bundle and one FILE.', {
      hint: CONFORMANCE_HELP,
    });
  }
  const { readSigningConfig, PUBLIC_GOOD_ENDPOINTS } = await import('../../core/sigstore/endpoints.ts');
  const { signDsseWithSigstore, signWithSigstore } = await import('../../core/sigstore/sign.ts');
  const { staticToken } = await import('../../core/sigstore/identity/providers.ts');
  const endpoints = values['signing-config']
    ? await readSigningConfig(resolve(io.cwd, values['signing-config']))
    : values.staging
      ? STAGING
      : PUBLIC_GOOD_ENDPOINTS;
  const artifact = await readFile(resolve(io.cwd, positionals[0]!));
  const options = { endpoints, identityProvider: staticToken(values['identity-token']) };
  const signed = values['in-toto']
    ? await signDsseWithSigstore(artifact, IN_TOTO, options)
    : await signWithSigstore(artifact, options);
  await writeFile(resolve(io.cwd, values.bundle), JSON.stringify(signed.bundle));
  return EXIT.ok;
}

export async function verifyBundleCommand(io: CliIo, argv: string[]): Promise<number> {
  const { values, positionals } = parse('verify-bundle', argv, {
    staging: { type: 'boolean' },
    bundle: { type: 'string' },
    'certificate-identity': { type: 'string' },
    'certificate-oidc-issuer': { type: 'string' },
    key: { type: 'string' },
    'trusted-root': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(`${CONFORMANCE_HELP}\n`);
    return EXIT.ok;
  }
  const withIdentity = values['certificate-identity'] !== undefined && values['certificate-oidc-issuer'] !== undefined;
  if (!values.bundle || positionals.length !== 1 || withIdentity === (values.key !== undefined)) {
    throw new AamError(
      'USAGE',
      'verify-bundle needs --bundle, one FILE_OR_DIGEST, and either --certificate-identity with --certificate-oidc-issuer or --key.',
      { hint: CONFORMANCE_HELP },
    );
  }
  const { fromText, publicGoodRoot } = await import('../../core/sigstore/trusted-root.ts');
  const { parseBundle } = await import('../../core/sigstore/verify.ts');
  const { digestSignatureContent } = await import('../../core/sigstore/digest-signature.ts');
  const { Verifier, toSignedEntity, toTrustMaterial } = await import('@sigstore/verify');
  const { TrustedRoot } = await import('@sigstore/protobuf-specs');
  if (values.staging && !values['trusted-root']) {
    throw new AamError('TRUST_ROOT_INVALID', 'The staging trusted root is not available offline.', {
      hint: 'Pass --trusted-root with the staging trusted_root.json.',
    });
  }
  const root = values['trusted-root']
    ? fromText(await readFile(resolve(io.cwd, values['trusted-root']), 'utf8'), values['trusted-root'])
    : publicGoodRoot();
  const parsed = parseBundle(await readFile(resolve(io.cwd, values.bundle)));
  if (!parsed.ok) throw new AamError('BUNDLE_INVALID', `Bundle rejected: ${parsed.reason}.`);
  const bundle = parsed.bundle;
  const input = await readInput(io, positionals[0]!);

  let entity;
  if (bundle.content.$case === 'messageSignature') {
    entity = input.data
      ? toSignedEntity(bundle, input.data)
      : {
          ...toSignedEntity(bundle),
          signature: digestSignatureContent(bundle as Parameters<typeof digestSignatureContent>[0], input.digest),
        };
  } else {
    entity = toSignedEntity(bundle);
  }
  const keyPem = values.key ? await readFile(resolve(io.cwd, values.key), 'utf8') : undefined;
  const material = keyPem
    ? toTrustMaterial(TrustedRoot.fromJSON(root.json), () => ({
        publicKey: createPublicKey(keyPem),
        validFor: () => true,
      }))
    : toTrustMaterial(TrustedRoot.fromJSON(root.json));
  const policy = withIdentity
    ? {
        subjectAlternativeName: values['certificate-identity']!,
        extensions: { issuer: values['certificate-oidc-issuer']! },
      }
    : undefined;
  try {
    new Verifier(material, { tlogThreshold: 1, ctlogThreshold: keyPem ? 0 : 1, timestampThreshold: 1 }).verify(
      entity,
      policy,
    );
  } catch (error) {
    throw new AamError('SIGNATURE_INVALID', `Verification failed: ${(error as Error).message}.`);
  }
  if (bundle.content.$case === 'dsseEnvelope')
    checkInTotoSubject(
      bundle.content.dsseEnvelope.payloadType,
      Buffer.from(bundle.content.dsseEnvelope.payload),
      input.digest,
    );
  io.stdout('OK\n');
  return EXIT.ok;
}

/** A path, or `sha256:<hex>` when that is well formed and not a file on disk. */
async function readInput(io: CliIo, raw: string): Promise<{ data: Buffer | undefined; digest: Buffer }> {
  const path = resolve(io.cwd, raw);
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (!isFile && /^sha256:[0-9a-f]{64}$/.test(raw))
    return { data: undefined, digest: Buffer.from(raw.slice(7), 'hex') };
  const data = await readFile(path);
  return { data, digest: createHash('sha256').update(data).digest() };
}

/** For in-toto statements the input must be one of the statement's subjects. */
function checkInTotoSubject(payloadType: string, payload: Buffer, digest: Buffer): void {
  if (payloadType !== IN_TOTO) return;
  let statement: { subject?: { digest?: Record<string, string> }[] };
  try {
    statement = JSON.parse(payload.toString('utf8')) as typeof statement;
  } catch {
    throw new AamError('SIGNATURE_INVALID', 'Verification failed: the in-toto statement is not JSON.');
  }
  const hex = digest.toString('hex');
  if (!(statement.subject ?? []).some((s) => s.digest?.sha256?.toLowerCase() === hex)) {
    throw new AamError(
      'SIGNATURE_INVALID',
      `Verification failed: sha256:${hex} is not a subject of the in-toto statement.`,
    );
  }
}
