import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from 'openpgp';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/*
 * A registry's attestation is its signed word. For an OpenPGP signature it can vouch for the key (the signature
 * proves it) but not for the User ID, which whoever made the key typed: registry-review F1, where the registry
 * attested "Alice Security" as the signer of a package signed by a key made a second before.
 */
describe('the registry attests an OpenPGP signer by its fingerprint, and its User ID only as claimed', () => {
  let registry: TestRegistry;
  before(async () => {
    registry = await startTestRegistry();
  });
  after(() => registry.close());

  it('names no identity for a key whose User ID claims to be someone else', async () => {
    const mallory = await registry.token('mallory', ['publish']);
    const { privateKey, publicKey } = await generateKey({
      userIDs: [{ name: 'Alice Security', email: 'security@corp.example' }],
      format: 'object',
    });
    const fingerprint = privateKey.getFingerprint().toUpperCase();
    const archive = await packPackage('mallory-tool', '1.0.0');
    const bytes = await signDetached(archive, { key: privateKey, fingerprint, userIds: privateKey.getUserIDs() });
    await registry.client(mallory).publish(archive, [
      {
        type: 'gpg',
        bytes,
        record: { fingerprint, signed_at: new Date().toISOString() },
        publicKey: publicKey.armor(),
      },
    ]);
    const envelope = (await (await fetch(`${registry.url}/api/v1/packages/mallory-tool/1.0.0/attestation`)).json()) as {
      payload: string;
    };
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      predicate: { publisher: { user: string; signer: Record<string, string> } };
    };
    assert.equal(statement.predicate.publisher.user, 'mallory');
    assert.deepEqual(statement.predicate.publisher.signer, {
      type: 'gpg',
      fingerprint,
      claimed_user_id: 'Alice Security <security@corp.example>',
    });
  });
});
