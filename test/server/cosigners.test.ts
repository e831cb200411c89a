import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey } from 'openpgp';
import { isAamError } from '../../src/core/errors.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import type { SignatureToStore } from '../../src/core/registry/registry.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../src/core/signature/delegation-file.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/** A fresh OpenPGP key: its fingerprint, and a signature over `data` as a co-signer sends it (with its public key). */
async function signer(email: string) {
  const { privateKey, publicKey } = await generateKey({ userIDs: [{ email }], format: 'object' });
  const fingerprint = privateKey.getFingerprint().toUpperCase();
  const key = { key: privateKey, fingerprint, userIds: privateKey.getUserIDs() };
  return {
    fingerprint,
    sign: async (data: Buffer): Promise<SignatureToStore> => ({
      type: 'gpg',
      bytes: await signDetached(data, key),
      record: { fingerprint, signed_at: undefined },
      publicKey: publicKey.armor(),
    }),
  };
}

type Signer = Awaited<ReturnType<typeof signer>>;

/** A delegation (or its revocation) signed by `by`, as `aam-trust delegate` stores it. */
async function delegationFile(by: Signer, to: Signer, pattern: string, until = '2099-01-01T00:00:00.000Z') {
  const document = documentBytes({
    type: DELEGATION_TYPE,
    pattern,
    delegate: { fingerprint: to.fingerprint },
    until,
    issued_at: new Date().toISOString(),
    max_depth: 0,
  });
  const signed = await by.sign(document);
  return signedDocumentFile({ document, signature: { type: 'gpg', bytes: signed.bytes, publicKey: signed.publicKey } });
}

async function revocationFile(by: Signer, delegation: { name: string }) {
  const document = documentBytes({
    type: REVOCATION_TYPE,
    delegation: `sha256:${delegation.name.replace(/\.json$/, '')}`,
    reason: 'test',
    revoked_at: new Date().toISOString(),
  });
  const signed = await by.sign(document);
  return signedDocumentFile({ document, signature: { type: 'gpg', bytes: signed.bytes, publicKey: signed.publicKey } });
}

const refusedAsStranger = (user: string) => (e: unknown) =>
  isAamError(e) &&
  new RegExp(
    `HTTP 403 forbidden\\): ${user} may not add a signature to @acme/tool.*: only its owners \\(alice\\), members of @acme.*Ask an owner to co-sign, to add you to @acme, or to delegate @acme/tool`,
  ).test(e.message);

/**
 * Registry review F5/F6: a co-signature is written beside an archive, in the
 * package's name, so only those with a reason to add one may — its owners and
 * scope members, and signers its owners delegated it to or the registry's
 * approvers — never any account, which anyone can make.
 */
for (const engine of ENGINES) {
  describe(`who may co-sign a published version (${engine.name})`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let archive: Buffer;
    let aliceKey: Signer;
    let alice: string;
    const client = (token?: string) => registry.client(token);
    const signatures = async () => (await client().readSignatures('@acme/tool', '1.0.0')).length;

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'team' });
      alice = await registry.token('alice', ['publish', 'admin']);
      aliceKey = await signer('alice@example.com');
      archive = await packPackage('@acme/tool', '1.0.0', { manifest: '' });
      await client(alice).publish(archive, [await aliceKey.sign(archive)]);
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('refuses a stranger 403, saying who may co-sign and whom to ask; nothing is stored or logged', async () => {
      const mallory = await registry.token('mallory', ['publish']);
      await assert.rejects(
        client(mallory).addSignature('@acme/tool', '1.0.0', await (await signer('m@evil.example')).sign(archive)),
        refusedAsStranger('mallory'),
      );
      assert.equal(await signatures(), 1);
      const log = (await (await fetch(`${registry.url}/api/v1/packages/@acme/tool/audit-log`)).json()) as {
        entries: { event: string }[];
      };
      assert.deepEqual(
        log.entries.map((e) => e.event),
        ['package.publish'],
      );
    });

    it('throw-away accounts cannot take the slots: a member the owner adds to the scope still co-signs', async () => {
      for (let i = 0; i < 8; i++) {
        const sybil = await registry.token(`sybil${i}`, ['publish']);
        for (let k = 0; k < 2; k++)
          await assert.rejects(
            client(sybil).addSignature('@acme/tool', '1.0.0', await (await signer(`s${i}@evil.example`)).sign(archive)),
            refusedAsStranger(`sybil${i}`),
          );
      }
      assert.equal(await signatures(), 1);
      const reviewer = await registry.token('reviewer', ['publish']);
      const added = await fetch(`${registry.url}/api/v1/scopes/acme/members/reviewer`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'member' }),
      });
      assert.equal(added.status, 200, await added.text());
      const signed = await client(reviewer).addSignature(
        '@acme/tool',
        '1.0.0',
        await (await signer('reviewer@example.com')).sign(archive),
      );
      assert.equal(signed.file, '1.0.0.aam.2.asc');
      // The owner co-signs with a second key of hers.
      await client(alice).addSignature('@acme/tool', '1.0.0', await (await signer('a2@example.com')).sign(archive));
      assert.equal(await signatures(), 3);
    });

    it('lets a signer the owner delegated the package to co-sign with that key, until she revokes it', async () => {
      const carolKey = await signer('carol@partner.example');
      const carol = await registry.token('carol', ['publish']);
      const delegation = await delegationFile(aliceKey, carolKey, '@acme/*');
      await client(alice).addDelegation(delegation);
      // Another key of carol's is not the one delegated: refused, naming the signer and the delegate.
      await assert.rejects(
        client(carol).addSignature('@acme/tool', '1.0.0', await (await signer('carol@partner.example')).sign(archive)),
        (e) =>
          isAamError(e) &&
          /carol may not add a signature to @acme\/tool signed by .*Named to sign it: key [0-9A-F]{40}\./.test(
            e.message,
          ),
      );
      await client(carol).addSignature('@acme/tool', '1.0.0', await carolKey.sign(archive));
      assert.equal(await signatures(), 4);
      // A delegation anyone else stored counts for nothing: mallory delegates @acme/* to her own key.
      const malloryKey = await signer('m@evil.example');
      const mallory = await registry.token('mallory', ['publish']);
      await client(mallory).addDelegation(await delegationFile(malloryKey, malloryKey, '@acme/*'));
      await assert.rejects(
        client(mallory).addSignature('@acme/tool', '1.0.0', await malloryKey.sign(archive)),
        refusedAsStranger('mallory'),
      );
      // Once the owner revokes carol's delegation, carol's key adds nothing more.
      await client(alice).addDelegation(await revocationFile(aliceKey, delegation));
      await assert.rejects(
        client(carol).addSignature('@acme/tool', '1.0.0', await carolKey.sign(archive)),
        refusedAsStranger('carol'),
      );
      assert.equal(await signatures(), 4);
    });

    it("lets one of the registry's approvers co-sign with the approver's key", async () => {
      const daveKey = await signer('dave@example.com');
      const dave = await registry.token('dave', ['publish']);
      await registry.server.db.query(
        `INSERT INTO registry_settings (key, value) VALUES ('approvers', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
        [JSON.stringify([daveKey.fingerprint])],
      );
      try {
        await assert.rejects(
          client(dave).addSignature('@acme/tool', '1.0.0', await (await signer('dave@example.com')).sign(archive)),
          (e) => isAamError(e) && /Named to sign it: [0-9A-F]{40}\. Ask an owner/.test(e.message),
        );
        await client(dave).addSignature('@acme/tool', '1.0.0', await daveKey.sign(archive));
        assert.equal(await signatures(), 5);
      } finally {
        await registry.server.db.query(`DELETE FROM registry_settings WHERE key = 'approvers'`);
      }
    });
  });
}
