import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import {
  attest,
  registryKeyOf,
  signEnvelope,
  verifyAttestation,
  IN_TOTO_PAYLOAD_TYPE,
} from '../../../src/core/registry/attestation.ts';
import type { AttestationPredicate } from '../../../src/core/registry/attestation.ts';

const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const archive = Buffer.from('the archive bytes');
const sha = createHash('sha256').update(archive).digest('hex');
const predicate: AttestationPredicate = {
  registry: 'corp',
  package: '@acme/tool',
  version: '1.0.0',
  publisher: {
    user: 'alice',
    signer: { type: 'sigstore', identity: 'alice@example.com', issuer: 'https://issuer.example' },
  },
  published_at: '2026-12-01T00:00:00.000Z',
};
const expected = {
  archive,
  name: '@acme/tool',
  version: '1.0.0',
  registry: 'corp',
  publicKey: registryKeyOf(key).public_key,
};
const bytes = (envelope: unknown) => Buffer.from(JSON.stringify(envelope));

describe('registry attestations', () => {
  it('verify for exactly this archive, package, version and registry, under the pinned key', () => {
    const check = verifyAttestation(bytes(attest(sha, predicate, key)), expected);
    assert.equal(check.state, 'valid');
    assert.equal(check.state === 'valid' && check.keyId, registryKeyOf(key).key_id);
    assert.equal(check.state === 'valid' && check.predicate.publisher.user, 'alice');
  });

  it('refuse an attestation over other bytes, by another key, or for another name, version or registry', () => {
    const reasons = {
      otherBytes: verifyAttestation(bytes(attest(sha, predicate, key)), { ...expected, archive: Buffer.from('other') }),
      otherKey: verifyAttestation(bytes(attest(sha, predicate, other)), expected),
      otherName: verifyAttestation(bytes(attest(sha, { ...predicate, package: '@acme/evil' }, key)), expected),
      otherVersion: verifyAttestation(bytes(attest(sha, { ...predicate, version: '9.9.9' }, key)), expected),
      otherRegistry: verifyAttestation(bytes(attest(sha, { ...predicate, registry: 'elsewhere' }, key)), expected),
    };
    assert.deepEqual(
      Object.fromEntries(Object.entries(reasons).map(([k, c]) => [k, c.state === 'invalid' ? c.reason : 'valid'])),
      {
        otherBytes: 'it attests other bytes than this archive',
        otherKey: `it is not signed by the registry key ${registryKeyOf(key).key_id.slice(0, 16)}…`,
        otherName: 'it attests @acme/evil@1.0.0, not @acme/tool@1.0.0',
        otherVersion: 'it attests @acme/tool@9.9.9, not @acme/tool@1.0.0',
        otherRegistry: 'it was made by registry "elsewhere", not "corp"',
      },
    );
  });

  it('refuse a payload changed after signing, a foreign statement, and what is not an envelope', () => {
    const envelope = attest(sha, predicate, key);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as {
      predicate: AttestationPredicate;
    };
    statement.predicate.publisher.user = 'mallory';
    const changed = { ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') };
    assert.equal(verifyAttestation(bytes(changed), expected).state, 'invalid');
    const foreign = signEnvelope(
      IN_TOTO_PAYLOAD_TYPE,
      Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [],
          predicateType: 'https://slsa.dev/provenance/v1',
          predicate: {},
        }),
      ),
      key,
    );
    assert.match(
      (verifyAttestation(bytes(foreign), expected) as { reason: string }).reason,
      /not an AAM registry attestation/,
    );
    assert.match(
      (verifyAttestation(Buffer.from('{"nope":1}'), expected) as { reason: string }).reason,
      /not a DSSE envelope/,
    );
    assert.match((verifyAttestation(Buffer.from('not json'), expected) as { reason: string }).reason, /not JSON/);
  });
});
