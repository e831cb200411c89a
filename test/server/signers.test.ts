import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from 'openpgp';
import { isAamError } from '../../src/core/errors.ts';
import { signDetached } from '../../src/core/openpgp/sign.ts';
import { syncDelegations } from '../../src/core/registry/http-mirror.ts';
import type { SignatureToStore } from '../../src/core/registry/registry.ts';
import {
  DELEGATION_TYPE,
  documentBytes,
  REVOCATION_TYPE,
  signedDocumentFile,
} from '../../src/core/signature/delegation-file.ts';
import { DELEGATIONS_PER_ACCOUNT, MAX_STORED_DELEGATIONS } from '../../src/server/store/signers.ts';
import type { TestPostgres } from '../helpers/postgres.ts';
import { ENGINES, packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/** A package of one prompt, as published here (no keywords). */
const pack = (name: string, version: string) => packPackage(name, version, { manifest: '' });

/** A fresh OpenPGP key that signs `data`, as a publish or co-signature sends it (with its public key). */
async function signer(email: string) {
  const { privateKey, publicKey } = await generateKey({ userIDs: [{ email }], format: 'object' });
  const key = {
    key: privateKey,
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    userIds: privateKey.getUserIDs(),
  };
  return async (data: Buffer): Promise<SignatureToStore> => ({
    type: 'gpg',
    bytes: await signDetached(data, key),
    record: { fingerprint: key.fingerprint, signed_at: undefined },
    publicKey: publicKey.armor(),
  });
}

for (const engine of ENGINES) {
  describe(`several signers on the HTTP registry (${engine.name})`, { skip: engine.skip }, () => {
    let postgres: TestPostgres | undefined;
    let registry: TestRegistry;
    let alice: string;
    let bob: string;
    const client = (token?: string) => registry.client(token);
    const publisher = (user: string) => registry.token(user, ['publish']);

    before(async () => {
      postgres = await engine.start();
      registry = await startTestRegistry({ postgres, name: 'team' });
      alice = await publisher('alice');
      bob = await publisher('bob');
    });
    after(async () => {
      await registry?.close();
      await postgres?.stop();
    });

    it('publishes with two signatures and serves each, named as in a registry folder', async () => {
      const archive = await pack('@acme/two', '1.0.0');
      const [a, b] = [await signer('a@example.com'), await signer('b@example.com')];
      const signatures = [await a(archive), await b(archive)];
      const published = await client(alice).publish(archive, signatures);
      assert.deepEqual(
        published.entry.signatures?.map((s) => s.file),
        ['1.0.0.aam.asc', '1.0.0.aam.2.asc'],
      );
      const read = await client().readSignatures('@acme/two', '1.0.0');
      assert.deepEqual(
        read.map((s) => [s.file, s.bytes.equals(signatures[read.indexOf(s)]!.bytes)]),
        [
          ['1.0.0.aam.asc', true],
          ['1.0.0.aam.2.asc', true],
        ],
      );
      // What a reader of one signature knows still serves the first one.
      const first = await fetch(`${registry.url}/api/v1/packages/@acme/two/1.0.0/signature/gpg`);
      assert.deepEqual(Buffer.from(await first.arrayBuffer()), signatures[0]!.bytes);
    });

    it('lets a member of the scope co-sign a published version, refusing a copy and a signature of other bytes', async () => {
      const archive = await pack('@acme/cosigned', '1.0.0');
      await client(alice).publish(archive, [await (await signer('a@example.com'))(archive)]);
      // bob reviews as a member of @acme: a stranger's account may not co-sign (cosigners.test.ts).
      const member = await fetch(`${registry.url}/api/v1/scopes/acme/members/bob`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${await registry.token('alice', ['admin'])}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ role: 'member' }),
      });
      assert.equal(member.status, 200, await member.text());
      const reviewer = await signer('reviewer@example.com');
      const added = await client(bob).addSignature('@acme/cosigned', '1.0.0', await reviewer(archive));
      assert.equal(added.file, '1.0.0.aam.2.asc');
      assert.equal((await client().readSignatures('@acme/cosigned', '1.0.0')).length, 2);
      const again = await client(bob).readSignatures('@acme/cosigned', '1.0.0');
      await assert.rejects(
        client(bob).addSignature('@acme/cosigned', '1.0.0', { ...(await reviewer(archive)), bytes: again[1]!.bytes }),
        (e) => isAamError(e) && /signature_exists/.test(e.message),
      );
      await assert.rejects(
        client(bob).addSignature('@acme/cosigned', '1.0.0', await reviewer(Buffer.from('other bytes'))),
        (e) => isAamError(e, 'SIGNATURE_INVALID') && /does not verify over the uploaded archive/.test(e.message),
      );
      await assert.rejects(client().addSignature('@acme/cosigned', '1.0.0', await reviewer(archive)), (e) =>
        isAamError(e, 'REGISTRY_AUTH'),
      );
      // One account may not fill the version's signatures: a second key of bob's is taken, a third refused.
      await client(bob).addSignature('@acme/cosigned', '1.0.0', await (await signer('b2@example.com'))(archive));
      await assert.rejects(
        client(bob).addSignature('@acme/cosigned', '1.0.0', await (await signer('b3@example.com'))(archive)),
        (e) => isAamError(e) && /cosign_quota.*the most one account may/.test(e.message),
      );
      const log = (await (await fetch(`${registry.url}/api/v1/packages/@acme/cosigned/audit-log`)).json()) as {
        entries: { event: string; actor: string }[];
      };
      assert.deepEqual(
        log.entries.map((e) => `${e.event} by ${e.actor}`),
        ['package.publish by alice', 'signature.add by bob', 'signature.add by bob'],
      );
    });

    it('info --audit-log shows the signatures, the registry attestation and the history, co-signature included', async () => {
      await registry.writeConfig();
      const shown = await registry.run(['info', '@acme/cosigned@1.0.0', '--audit-log']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /Signatures:\n  - Type: gpg\n[\s\S]*File: 1\.0\.0\.aam\.2\.asc\n/);
      assert.match(
        shown.stdout,
        /  - Type: registry-attestation\n    Registry: team\n    Timestamp: \S+\n[\s\S]*published by alice\n    Status: Valid ✓/,
      );
      assert.match(
        shown.stdout,
        /Audit log for @acme\/cosigned[\s\S]*alice +package\.publish +1\.0\.0[\s\S]*bob +signature\.add +1\.0\.0/,
      );
      assert.match(shown.stdout, /✓ Log verified/);
    });

    it('keeps signed delegations, refuses a file that is not one, and the mirror follows what it serves', async () => {
      const document = documentBytes({
        type: DELEGATION_TYPE,
        pattern: '@acme/*',
        delegate: { identity: 'bob@partner.io' },
        until: '2030-01-01T00:00:00.000Z',
        issued_at: new Date().toISOString(),
        max_depth: 0,
      });
      const signed = await (await signer('alice@example.com'))(document);
      const file = signedDocumentFile({
        document,
        signature: { type: 'gpg', bytes: signed.bytes, publicKey: signed.publicKey },
      });
      await client(alice).addDelegation(file);
      assert.deepEqual(await client().readDelegations(), [file]);
      await assert.rejects(
        client(alice).addDelegation({ name: `${'0'.repeat(64)}.json`, bytes: file.bytes }),
        (e) => isAamError(e) && /invalid_delegation.*its name is not the digest of its document/.test(e.message),
      );
      const mirror = await tempDir('aam-mirror-');
      await syncDelegations(client(), mirror);
      assert.deepEqual(await readdir(join(mirror, 'delegations')), [file.name]);
    });

    it('bounds what one account may add, keeps room for revocations, and takes only revocations of what it keeps', async () => {
      const sign = await signer('mallory@example.com');
      const signedFile = async (document: Buffer) => {
        const signed = await sign(document);
        return signedDocumentFile({
          document,
          signature: { type: 'gpg', bytes: signed.bytes, publicKey: signed.publicKey },
        });
      };
      const delegation = (n: number) =>
        signedFile(
          documentBytes({
            type: DELEGATION_TYPE,
            pattern: '@mallory/*',
            delegate: { identity: `d${n}@elsewhere.example` },
            until: '2030-01-01T00:00:00.000Z',
            issued_at: new Date().toISOString(),
            max_depth: 0,
          }),
        );
      const mallory = await publisher('mallory');
      const first = await delegation(0);
      await client(mallory).addDelegation(first);
      // A revocation of a delegation the registry does not keep is refused; of one it keeps, stored.
      const revocation = (id: string) =>
        signedFile(
          documentBytes({
            type: REVOCATION_TYPE,
            delegation: id,
            reason: 'test',
            revoked_at: new Date().toISOString(),
          }),
        );
      await assert.rejects(
        client(mallory).addDelegation(await revocation(`sha256:${'1'.repeat(64)}`)),
        (e) => isAamError(e) && /invalid_delegation.*a delegation this registry does not keep/.test(e.message),
      );
      const revoking = await revocation(`sha256:${first.name.replace(/\.json$/, '')}`);
      await client(mallory).addDelegation(revoking);
      const held = (await client().readDelegations()).length;
      for (let n = 1; n < DELEGATIONS_PER_ACCOUNT - 1; n++) await client(mallory).addDelegation(await delegation(n));
      await assert.rejects(
        client(mallory).addDelegation(await delegation(DELEGATIONS_PER_ACCOUNT)),
        (e) => isAamError(e) && /delegation_quota.*the most one account may/.test(e.message),
      );
      assert.equal((await client().readDelegations()).length, held + DELEGATIONS_PER_ACCOUNT - 2);
      // The registry as a whole keeps at most half of what clients read as delegations.
      let account = 0;
      let refused: unknown;
      for (let n = 100; !refused && n < 100 + MAX_STORED_DELEGATIONS; n++) {
        if (n % (DELEGATIONS_PER_ACCOUNT - 1) === 0) account++;
        const token = await publisher(`filler${account}`);
        refused = await client(token)
          .addDelegation(await delegation(n))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
      }
      assert.ok(isAamError(refused) && /delegations_full/.test(refused.message), String(refused));
      const kept = await client().readDelegations();
      assert.ok(kept.length <= MAX_STORED_DELEGATIONS + DELEGATIONS_PER_ACCOUNT, `${kept.length} kept`);
      // The operator makes room: the operator's token removes a delegation, never a revocation.
      const operator = await registry.token('operator', ['operator']);
      await assert.rejects(
        client(mallory).removeDelegation(first.name),
        (e) => isAamError(e) && /no "operator" scope/.test(e.message),
      );
      await assert.rejects(
        client(operator).removeDelegation(revoking.name),
        (e) => isAamError(e) && /revocation_kept/.test(e.message),
      );
      await client(operator).removeDelegation(first.name);
      const after = (await client().readDelegations()).map((f) => f.name);
      assert.ok(!after.includes(first.name) && after.includes(revoking.name));
      // The revocation of a removed delegation still takes a place, and every delegation keeps room for its
      // signer's revocation: a new one needs another removed.
      const filler = await publisher('filler-last');
      await assert.rejects(
        client(filler).addDelegation(await delegation(999)),
        (e) => isAamError(e) && /delegations_full.*no room left for a delegation and its revocation/.test(e.message),
      );
      await client(operator).removeDelegation(after.find((name) => name !== revoking.name)!);
      await client(filler).addDelegation(await delegation(999));
    });
  });
}
