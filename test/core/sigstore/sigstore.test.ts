import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LocalSigstore } from '../../../dev/local-sigstore/instance.ts';
import { signDsseWithSigstore, signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { IN_TOTO_PAYLOAD_TYPE, PACKAGE_SIGNATURE_PREDICATE } from '../../../src/core/sigstore/statement.ts';
import { createHash } from 'node:crypto';
import { verifySigstoreBundle } from '../../../src/core/sigstore/verify.ts';
import { fromText, publicGoodRoot, trustMaterialOf } from '../../../src/core/sigstore/trusted-root.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { decide, DEFAULT_POLICY } from '../../../src/core/policy/decision.ts';
import type { SignatureCheck } from '../../../src/core/policy/decision.ts';
import { isAamError } from '../../../src/core/errors.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';

const artifact = Buffer.from('the bytes of an .aam archive');

describe('Sigstore signing and verification against a local instance over HTTP', () => {
  const local = useLocalSigstore();
  const sign = (token: string, tsa = false, data = artifact) =>
    signWithSigstore(data, { endpoints: local.endpoints(tsa), identityProvider: staticToken(token) });
  const verify = (bytes: Buffer, data = artifact, requireTlog = true): SignatureCheck =>
    verifySigstoreBundle(bytes, data, { root: local.root(), requireTlog });
  const mutate = (bytes: Buffer, change: (json: any) => void) => {
    const json = JSON.parse(bytes.toString());
    change(json);
    return Buffer.from(JSON.stringify(json));
  };

  it('signs keyless into a v0.3 bundle that verifies, with the email identity, issuer and log entry', async () => {
    const signed = await sign(local.instance().mintToken('alice@example.com'));
    assert.equal(signed.bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const check = verify(signed.bytes);
    assert.equal(check.state, 'valid');
    if (check.state !== 'valid' || check.signer.type !== 'sigstore') return;
    assert.deepEqual(check.signer.identity, {
      san: 'alice@example.com',
      sanType: 'email',
      issuer: local.instance().oidcIssuer,
    });
    assert.match(check.signer.tlog?.logIndex ?? '', /^\d+$/);
    assert.equal(check.signer.tlog?.url, local.instance().url);
    assert.ok(
      local.instance().requests.some((r) => r.service === 'fulcio') &&
        local.instance().requests.some((r) => r.service === 'rekor'),
    );
  });

  it('adds an RFC 3161 timestamp when a TSA is configured', async () => {
    const signed = await sign(local.instance().mintToken(), true);
    assert.equal(signed.bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length, 1);
    assert.equal(verify(signed.bytes).state, 'valid');
  });

  it('rejects a tampered archive', async () => {
    const signed = await sign(local.instance().mintToken());
    const check = verify(signed.bytes, Buffer.from('the bytes of an .aam archivE'));
    assert.equal(check.state, 'invalid');
    assert.ok(check.state === 'invalid' && check.code === 'SIGNATURE_INVALID' && /does not match/.test(check.reason));
  });

  it('leaves identity to the policy: a valid signature by someone else is untrusted', async () => {
    const signed = await sign(local.instance().mintToken('mallory@evil.io'));
    const check = verify(signed.bytes);
    assert.equal(check.state, 'valid');
    const verdict = decide(
      { name: 'test-pkg', integrity: { ok: true }, signature: check },
      { policy: { ...DEFAULT_POLICY, trusted_identities: ['*@example.com'], on_signature_failure: 'error' } },
    );
    assert.deepEqual([verdict.action, verdict.code], ['fail', 'UNTRUSTED_SIGNER']);
  });

  it('leaves the issuer to the policy: an issuer outside allowed_issuers fails', async () => {
    const check = verify((await sign(local.instance().mintToken('alice@example.com'))).bytes);
    const verdict = decide(
      { name: 'test-pkg', integrity: { ok: true }, signature: check },
      {
        policy: {
          ...DEFAULT_POLICY,
          trusted_identities: ['alice@example.com'],
          allowed_issuers: ['https://accounts.google.com'],
          on_signature_failure: 'error',
        },
      },
    );
    assert.deepEqual([verdict.action, verdict.code], ['fail', 'ISSUER_NOT_ALLOWED']);
  });

  it('requires a transparency-log entry when verify_transparency_log is true', async () => {
    const signed = await sign(local.instance().mintToken(), true);
    const stripped = mutate(signed.bytes, (json) => (json.verificationMaterial.tlogEntries = []));
    const check = verify(stripped);
    assert.ok(check.state === 'invalid' && check.code === 'TLOG_MISSING', JSON.stringify(check));
    assert.equal(verify(stripped, artifact, false).state, 'valid', 'with the log optional, the TSA timestamp suffices');
  });

  it('rejects a log entry made for another artifact', async () => {
    const ours = await sign(local.instance().mintToken());
    const other = await sign(local.instance().mintToken(), false, Buffer.from('another artifact'));
    const swapped = mutate(
      ours.bytes,
      (json) =>
        (json.verificationMaterial.tlogEntries = JSON.parse(other.bytes.toString()).verificationMaterial.tlogEntries),
    );
    const check = verify(swapped);
    assert.ok(check.state === 'invalid' && /transparency-log/.test(check.reason), JSON.stringify(check));
  });

  it('rejects certificates from another Sigstore instance', async () => {
    const stranger = await LocalSigstore.start();
    try {
      const signed = await signWithSigstore(artifact, {
        endpoints: { fulcio: stranger.url, rekor: stranger.url, tsa: undefined },
        identityProvider: staticToken(stranger.mintToken('alice@example.com')),
      });
      const check = verify(signed.bytes);
      assert.ok(
        check.state === 'invalid' && check.code === 'SIGNATURE_INVALID' && /certificate/.test(check.reason),
        JSON.stringify(check),
      );
    } finally {
      await stranger.close();
    }
  });

  it('signs with GitHub Actions and GitLab CI workload identities as URI SANs', async () => {
    const github = verify((await sign(local.instance().mintWorkloadToken('github', 'acme/tools'))).bytes);
    assert.ok(github.state === 'valid' && github.signer.type === 'sigstore');
    assert.deepEqual(github.signer.type === 'sigstore' && github.signer.identity, {
      san: 'https://github.com/acme/tools/.github/workflows/release.yml@refs/heads/main',
      sanType: 'uri',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    const verdict = decide(
      { name: 'test-pkg', integrity: { ok: true }, signature: github },
      { policy: { ...DEFAULT_POLICY, trusted_identities: ['github:acme/tools'] } },
    );
    assert.equal(verdict.status, 'verified');
    const gitlab = verify((await sign(local.instance().mintWorkloadToken('gitlab', 'acme/sub/tools'))).bytes);
    const gitlabVerdict = decide(
      { name: 'test-pkg', integrity: { ok: true }, signature: gitlab },
      { policy: { ...DEFAULT_POLICY, trusted_identities: ['gitlab:acme'] } },
    );
    assert.equal(gitlabVerdict.status, 'verified');
  });

  it('turns malformed bundles into BUNDLE_INVALID, not exceptions', async () => {
    for (const bytes of [
      Buffer.from('not json'),
      Buffer.from('{}'),
      Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}'),
      Buffer.from('{"mediaType":"text/plain"}'),
    ]) {
      const check = verify(bytes);
      assert.ok(check.state === 'invalid' && check.code === 'BUNDLE_INVALID', bytes.toString());
    }
  });

  describe('a DSSE bundle is a package signature only when its statement names this archive', () => {
    const statement = (subject: Buffer, predicateType = PACKAGE_SIGNATURE_PREDICATE) =>
      Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [{ name: 'pkg.aam', digest: { sha256: createHash('sha256').update(subject).digest('hex') } }],
          predicateType,
          predicate: {},
        }),
      );
    const dsse = (payload: Buffer, type = IN_TOTO_PAYLOAD_TYPE) =>
      signDsseWithSigstore(payload, type, {
        endpoints: local.endpoints(),
        identityProvider: staticToken(local.instance().mintToken('alice@example.com')),
      });
    const trusting = {
      policy: {
        ...DEFAULT_POLICY,
        require_signature: true,
        on_signature_failure: 'error' as const,
        trusted_identities: ['*@example.com'],
      },
    };

    it('refuses an attestation by a trusted identity about another artifact (it signs nothing here)', async () => {
      const signed = await dsse(statement(Buffer.from('some other artifact')));
      for (const referenceOnly of [false, true]) {
        const check = verifySigstoreBundle(signed.bytes, artifact, {
          root: local.root(),
          requireTlog: true,
          referenceOnly,
        });
        assert.ok(
          check.state === 'invalid' &&
            check.code === 'SIGNATURE_INVALID' &&
            /not among its subjects/.test(check.reason),
          JSON.stringify(check),
        );
        assert.deepEqual(
          [decide({ name: 'test-pkg', integrity: { ok: true }, signature: check }, trusting).action],
          ['fail'],
        );
      }
    });

    it('refuses a statement about this archive with another predicate (build provenance is not a signature)', async () => {
      const check = verify((await dsse(statement(artifact, 'https://slsa.dev/provenance/v1'))).bytes);
      assert.ok(check.state === 'invalid' && /not a package signature/.test(check.reason), JSON.stringify(check));
    });

    it('refuses a DSSE envelope whose payload is not an in-toto statement', async () => {
      const check = verify((await dsse(artifact, 'application/octet-stream')).bytes);
      assert.ok(check.state === 'invalid' && /not an in-toto statement/.test(check.reason), JSON.stringify(check));
    });

    it('accepts a package-signature statement whose subject is this archive', async () => {
      const check = verify((await dsse(statement(artifact))).bytes);
      assert.ok(
        check.state === 'valid' &&
          check.signer.type === 'sigstore' &&
          check.signer.identity.san === 'alice@example.com',
        JSON.stringify(check),
      );
      assert.equal(
        decide({ name: 'test-pkg', integrity: { ok: true }, signature: check }, trusting).status,
        'verified',
      );
    });
  });

  it('refuses a certificate whose email SAN is not plain ASCII, on both verifiers (no high bit dropped)', async () => {
    const signed = await sign(local.instance().mintToken('alice@exampl\u00e5.com'));
    const json = JSON.parse(signed.bytes.toString());
    const der = Buffer.from(json.verificationMaterial.certificate.rawBytes, 'base64');
    assert.ok(
      der.includes(Buffer.from('alice@exampl\xe5.com', 'latin1')),
      'the certificate carries the byte 0xE5 in its SAN',
    );
    for (const referenceOnly of [false, true]) {
      const check = verifySigstoreBundle(signed.bytes, artifact, {
        root: local.root(),
        requireTlog: true,
        referenceOnly,
      });
      assert.ok(
        check.state === 'invalid' && /0xe5/.test(check.reason),
        `referenceOnly=${referenceOnly}: ${JSON.stringify(check)}`,
      );
      const verdict = decide(
        { name: 'test-pkg', integrity: { ok: true }, signature: check },
        { policy: { ...DEFAULT_POLICY, trusted_identities: ['*@example.com'], on_signature_failure: 'error' } },
      );
      assert.notEqual(verdict.status, 'verified');
    }
  });

  it('refuses an identity token the issuer did not sign, naming Fulcio', async () => {
    const token = local.instance().mintToken('alice@example.com');
    const [header, payload] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), email: 'boss@example.com' })).toString('base64url')}.${token.split('.')[2]}`;
    await assert.rejects(
      sign(forged),
      (e) =>
        isAamError(e, 'IDENTITY_TOKEN') &&
        /Fulcio at http:\/\/127\.0\.0\.1:\d+ rejected the identity token/.test(e.message) &&
        /bad signature/.test(e.message),
    );
  });
});

describe('the shipped public-good trusted root', () => {
  it('loads offline and builds trust material for the production instance', () => {
    const root = publicGoodRoot();
    const material = trustMaterialOf(root);
    assert.ok(material.certificateAuthorities.length > 0 && material.tlogs.length > 0 && material.ctlogs.length > 0);
    assert.match(root.digest, /^sha256:[0-9a-f]{64}$/);
  });
  it('refuses a trusted root whose transparency-log key has no start of validity (never "valid since forever")', () => {
    const json = structuredClone(publicGoodRoot().json) as { tlogs: { publicKey: { validFor: { start?: string } } }[] };
    delete json.tlogs[0]!.publicKey.validFor.start;
    assert.throws(
      () => fromText(JSON.stringify(json), 'root.json'),
      (e) => isAamError(e, 'TRUST_ROOT_INVALID') && /transparency log 1 .* no start of validity/.test(e.message),
    );
  });
  it('refuses a document that is not a trusted root', () => {
    assert.throws(
      () => fromText('{"mediaType":"application/json"}', 'x.json'),
      (e) => isAamError(e, 'TRUST_ROOT_INVALID'),
    );
  });
});
