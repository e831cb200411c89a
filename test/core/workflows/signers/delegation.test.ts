import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  delegateOf,
  delegateSigning,
  listDelegations,
  revokeDelegation,
} from '../../../../src/core/workflows/delegate.ts';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import { isAamError } from '../../../../src/core/errors.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';
import { signersWorld, statusOf } from '../../../helpers/signers.ts';

const NEXT_YEAR = new Date(Date.now() + 365 * 86_400_000);

describe('signature delegation, end to end (local Sigstore, real gpg)', () => {
  const local = useLocalSigstore();
  const trustAlice = 'trusted_identities: ["alice@example.com"]\non_signature_failure: error';

  async function delegated(pattern = '@acme/*', to = 'bob@partner.io') {
    const s = await signersWorld(local, () => trustAlice);
    const { verifier } = await s.w.services();
    const made = await delegateSigning({
      registry: s.w.registry,
      pattern,
      delegate: delegateOf(to),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    return { s, made, verifier };
  }

  it("trusts a delegate's signature through a delegation by a trusted signer, and captures it at install", async () => {
    const { s, made } = await delegated();
    assert.deepEqual(await readdir(join(s.w.registryDir, 'delegations')), [`${made.id.slice(7)}.json`]);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    const [installed] = await s.install('@acme/tool');
    assert.equal(installed?.verdict.code, 'VERIFIED');
    assert.match(
      installed!.verdict.message,
      /Signed by bob@partner\.io .* — delegated by alice@example\.com for @acme\/\* until \d{4}-\d{2}-\d{2}, trusted by "alice@example\.com"/,
    );
    const lock = await readLockFile(join(s.w.project, '.aam', 'aam-lock.yaml'));
    assert.deepEqual(lock.packages['@acme/tool']?.signature?.delegations, [made.id]);
    // Captured at install: the evidence cache keeps the delegation, so the registry cannot take it back.
    assert.ok((await readdir(join(s.w.home, '.aam', 'cache', 'delegations'))).includes(`${made.id.slice(7)}.json`));
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'verified/pass/VERIFIED');
    assert.match(
      report!.rows.find((r) => r.id === 'identity')!.detail,
      /bob@partner\.io .* — delegated by alice@example\.com for @acme\/\*/,
    );
  });

  it("refuses a delegate's signature after the delegation is revoked, naming who revoked it", async () => {
    const { s, made, verifier } = await delegated();
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await s.install('@acme/tool');
    await revokeDelegation({
      registry: s.w.registry,
      prefix: made.id.slice(7, 19),
      reason: "bob's laptop was stolen",
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'signed-untrusted/fail/DELEGATION_REFUSED');
    assert.match(report!.verdict.message, /was revoked by alice@example\.com .* bob's laptop was stolen/);
    const listed = await listDelegations(s.w.registry, verifier);
    assert.deepEqual(listed.map((d) => d.kind).sort(), ['delegation', 'revocation']);
  });

  it('trusts no delegation from a registry holding more delegation files than are read: no revocation is pushed out of view', async () => {
    const { s, made, verifier } = await delegated();
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await s.publish('@acme/other', '1.0.0', [s.sigstore('bob@partner.io')]);
    await s.install('@acme/tool');
    await revokeDelegation({
      registry: s.w.registry,
      prefix: made.id.slice(7, 19),
      reason: 'key lost',
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    // Whoever may add delegations adds 256 files whose names sort before the revocation's: a reader that kept
    // the first 256 would no longer see it, and trust the revoked delegation again.
    const dir = join(s.w.registryDir, 'delegations');
    for (let i = 0; i < 256; i++)
      await writeFile(join(dir, `${'0'.repeat(60)}${i.toString(16).padStart(4, '0')}.json`), '{}');
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'signed-untrusted/fail/DELEGATION_REFUSED');
    assert.match(report!.verdict.message, /holds more than 256 delegation files, the most that are read/);
    await assert.rejects(
      s.install('@acme/other'),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /more than 256 delegation files/.test(e.message),
    );
  });

  it('refuses a delegate signing a package outside the pattern', async () => {
    const { s } = await delegated();
    await s.publish('@other/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await assert.rejects(
      s.install('@other/tool'),
      (e) =>
        isAamError(e, 'INSTALL_REFUSED') &&
        /delegation [0-9a-f]{12} is for @acme\/\*, not @other\/tool/.test(e.message),
    );
  });

  it('refuses a delegation signed by a signer the policy does not trust', async () => {
    const s = await signersWorld(local, () => trustAlice);
    const { verifier } = await s.w.services();
    await delegateSigning({
      registry: s.w.registry,
      pattern: '@acme/*',
      delegate: delegateOf('bob@partner.io'),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: s.sigstore('mallory@evil.io'),
      verifier,
    });
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await assert.rejects(
      s.install('@acme/tool'),
      (e) =>
        isAamError(e, 'INSTALL_REFUSED') &&
        /signed by mallory@evil\.io .*, who is not in your trust lists/.test(e.message),
    );
  });

  it('a registry cannot change a delegation unsigned: an edited document no longer verifies', async () => {
    const { s, made } = await delegated();
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    const file = join(s.w.registryDir, 'delegations', `${made.id.slice(7)}.json`);
    const envelope = JSON.parse(await readFile(file, 'utf8')) as { document: string };
    const widened = Buffer.from(Buffer.from(envelope.document, 'base64').toString('utf8').replace('@acme/*', '*'));
    envelope.document = widened.toString('base64');
    const { createHash } = await import('node:crypto');
    await writeFile(
      join(s.w.registryDir, 'delegations', `${createHash('sha256').update(widened).digest('hex')}.json`),
      JSON.stringify(envelope),
    );
    await s.publish('@other/tool', '1.0.0', [s.sigstore('bob@partner.io')]);
    await assert.rejects(
      s.install('@other/tool'),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /is not validly signed \(.*\)/.test(e.message),
    );
  });

  it('an OpenPGP key may be the delegate, and allow_delegation: false refuses it', async () => {
    const s = await signersWorld(local, () => trustAlice);
    const { verifier } = await s.w.services();
    await delegateSigning({
      registry: s.w.registry,
      pattern: 'tool',
      delegate: delegateOf(s.keys.b),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: s.sigstore('alice@example.com'),
      verifier,
    });
    await s.publish('tool', '1.0.0', [s.gpg('b')]);
    assert.equal((await s.install('tool'))[0]?.verdict.code, 'VERIFIED');
    await s.writeSecurity(`${trustAlice}\nallow_delegation: false`);
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'signed-untrusted/fail/DELEGATION_REFUSED');
    assert.equal(report!.verdict.rule?.key, 'allow_delegation');
  });

  it('refuses to make a delegation that cannot mean anything: a bad pattern, a past date, oneself', async () => {
    const s = await signersWorld(local, () => '');
    const { verifier } = await s.w.services();
    const base = {
      registry: s.w.registry,
      delegate: delegateOf('bob@partner.io'),
      until: NEXT_YEAR,
      maxDepth: 0,
      signing: s.sigstore('alice@example.com'),
      verifier,
    };
    await assert.rejects(
      delegateSigning({ ...base, pattern: '@acme/to*' }),
      (e) => isAamError(e, 'USAGE') && /not a package name pattern/.test(e.message),
    );
    await assert.rejects(
      delegateSigning({ ...base, pattern: '@acme/*', until: new Date('2020-01-01') }),
      (e) => isAamError(e, 'USAGE') && /has passed/.test(e.message),
    );
    await assert.rejects(
      delegateSigning({ ...base, pattern: '@acme/*', delegate: delegateOf('alice@example.com') }),
      (e) => isAamError(e, 'USAGE') && /cannot delegate to itself/.test(e.message),
    );
    assert.throws(
      () => delegateOf('*'),
      (e) => isAamError(e, 'USAGE'),
    );
  });
});
