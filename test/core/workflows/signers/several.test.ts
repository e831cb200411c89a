import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import { readTrustRecord } from '../../../../src/core/record/trust-record.ts';
import { cosignVersion } from '../../../../src/core/workflows/cosign.ts';
import { packDirectory } from '../../../../src/core/package/pack.ts';
import type { Registry } from '../../../../src/core/registry/registry.ts';
import { verdictWords } from '../../../../src/core/workflows/review/review.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { isAamError } from '../../../../src/core/errors.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';
import { cli } from '../../../helpers/cli.ts';
import { signersWorld, statusOf } from '../../../helpers/signers.ts';

describe('several signatures on one version', () => {
  const local = useLocalSigstore();

  it('publishes with Sigstore and two OpenPGP keys together: the first of each kind keeps its SPEC §1 name', async () => {
    const s = await signersWorld(local, () => '');
    const published = await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com'), s.gpg('a'), s.gpg('b')]);
    assert.deepEqual(
      published.signatures.map((r) => `${r.type}:${r.file}`),
      ['sigstore:1.0.0.aam.sigstore.json', 'gpg:1.0.0.aam.asc', 'gpg:1.0.0.aam.2.asc'],
    );
    const versions = join(s.w.registryDir, 'packages', 'acme--tool', 'versions');
    assert.deepEqual((await readdir(versions)).sort(), [
      '1.0.0.aam',
      '1.0.0.aam.2.asc',
      '1.0.0.aam.asc',
      '1.0.0.aam.sigstore.json',
    ]);
    const metadata = await readFile(join(s.w.registryDir, 'packages', 'acme--tool', 'metadata.yaml'), 'utf8');
    assert.match(metadata, /fingerprint: "?([0-9A-F]{40})"?[\s\S]*file: 1\.0\.0\.aam\.2\.asc/);
  });

  it('refuses to sign twice with one key, before anything is stored', async () => {
    const s = await signersWorld(local, () => '');
    await assert.rejects(
      s.publish('dup', '1.0.0', [s.gpg('a'), s.gpg('a')]),
      (e) => isAamError(e, 'USAGE') && /already signed this/.test(e.message),
    );
    assert.equal(await s.w.registry.metadata('dup'), undefined);
  });

  it('a 2-of-3 threshold passes with two trusted signers and fails with one trusted plus one untrusted', async () => {
    const s = await signersWorld(
      local,
      (k) => `trusted_identities: ["alice@example.com"]\ntrusted_keys: ["${k.a}", "${k.b}"]\nsignature_threshold: 2`,
    );
    await s.publish('two', '1.0.0', [s.sigstore('alice@example.com'), s.gpg('a')]);
    await s.publish('one', '1.0.0', [s.sigstore('mallory@evil.io'), s.gpg('b')]);
    await s.install('two');
    await assert.rejects(
      s.install('one'),
      (e) => isAamError(e, 'INSTALL_REFUSED') && /1 of 2 required trusted signers/.test(e.message),
    );
    const [two] = await s.verify();
    assert.equal(statusOf(two), 'verified/pass/VERIFIED');
    assert.match(two!.verdict.message, /Signed by alice@example\.com and Key A <a@example\.com>: 2 trusted signers/);
    // A review's verdict line names every signer the verdict counted, not only the first.
    assert.match(verdictWords(two!.verdict), /^verified, signed by alice@example\.com.* and Key A <a@example\.com>/);
    assert.deepEqual(
      two!.rows.filter((r) => r.id === 'signature').map((r) => `${r.label}: ${r.state}`),
      ['Sigstore signature: ok', 'OpenPGP signature: ok'],
    );
    const lock = await readLockFile(join(s.w.project, '.aam', 'aam-lock.yaml'));
    assert.equal(lock.packages.two?.signature?.type, 'sigstore');
    assert.deepEqual(
      lock.packages.two?.cosignatures?.map((c) => c.fingerprint),
      [s.keys.a],
    );
  });

  it('Trust Diff judges a recorded state with every recorded signer, as verification does', async () => {
    const s = await signersWorld(
      local,
      (k) => `trusted_identities: ["alice@example.com"]\ntrusted_keys: ["${k.a}"]\nsignature_threshold: 2`,
    );
    await s.publish('two', '1.0.0', [s.sigstore('alice@example.com'), s.gpg('a')]);
    await s.install('two');
    const base = join(s.w.root, 'base');
    await cp(join(s.w.project, '.aam'), join(base, '.aam'), { recursive: true });
    const run = await cli(['diff', base, '--json'], { cwd: s.w.project, home: s.w.home });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const diff = JSON.parse(run.stdout) as { packages: { name: string; before?: { status?: string } }[] };
    assert.equal(diff.packages.find((p) => p.name === 'two')?.before?.status, 'verified', run.stdout);
  });

  it('a bad extra signature is a finding of its own, never ignored; the others still decide', async () => {
    const s = await signersWorld(local, (k) => `trusted_keys: ["${k.a}"]`);
    await s.publish('tool', '1.0.0', [s.gpg('a')]);
    await s.install('tool');
    // Someone with write access to the registry plants a second "signature".
    await writeFile(
      join(s.w.registryDir, 'packages', 'tool', 'versions', '1.0.0.aam.2.asc'),
      '-----BEGIN PGP SIGNATURE-----\nnonsense\n',
    );
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'verified/pass/VERIFIED +EXTRA_SIGNATURE_INVALID/warn');
    assert.match(report!.findings[0]!.message, /1\.0\.0\.aam\.2\.asc: the \.asc file is not an OpenPGP signature/);
  });

  it('co-signs a published version; verification counts the new signer, and the record remembers the set', async () => {
    const s = await signersWorld(local, (k) => `trusted_identities: ["alice@example.com"]\ntrusted_keys: ["${k.b}"]`);
    await s.publish('tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.install('tool');
    const { verifier } = await s.w.services();
    const added = await cosignVersion({
      registry: s.w.registry,
      name: 'tool',
      version: '1.0.0',
      signing: [s.gpg('b')],
      verifier,
    });
    assert.deepEqual(
      added.signatures.map((r) => r.file),
      ['1.0.0.aam.asc'],
    );
    await assert.rejects(
      cosignVersion({ registry: s.w.registry, name: 'tool', version: '1.0.0', signing: [s.gpg('b')], verifier }),
      (e) => isAamError(e, 'USAGE') && /Key B <b@example\.com>, key .* already signed this/.test(e.message),
    );
    await s.writeSecurity(
      `trusted_identities: ["alice@example.com"]\ntrusted_keys: ["${s.keys.b}"]\nsignature_threshold: 2`,
    );
    const [report] = await s.verify();
    assert.equal(statusOf(report), 'verified/pass/VERIFIED');
    const record = await readTrustRecord(join(s.w.project, '.aam', 'trust-record.yaml'));
    assert.equal(record.packages.tool?.cosignatures?.[0]?.type, 'gpg');
    // The registry loses the co-signature: a registry change, and the package falls below the threshold.
    await rm(join(s.w.registryDir, 'packages', 'tool', 'versions', '1.0.0.aam.asc'));
    const [after] = await s.verify();
    assert.equal(
      statusOf(after),
      'signed-untrusted/fail/THRESHOLD_NOT_MET +EXTRA_SIGNATURE_INVALID/warn +REGISTRY_CHANGED/fail',
    );
    assert.match(
      after!.findings[0]!.message,
      /the gpg signature recorded at install or since \(sha256:[0-9a-f]{64}\) is gone/,
    );
    // A next version without the co-signer: it drops out of the set, a finding like a removed signature.
    await s.writeSecurity(`trusted_identities: ["alice@example.com"]\ntrusted_keys: ["${s.keys.b}"]`);
    await s.publish('tool', '1.1.0', [s.sigstore('alice@example.com')]);
    await assert.rejects(
      s.install('tool@1.1.0'),
      (e) =>
        isAamError(e, 'INSTALL_REFUSED') &&
        /Signature removed: the signature by .*Key B <b@example\.com>.* is gone \(still signed by alice@example\.com/.test(
          e.message,
        ),
    );
  });

  it('refuses to co-sign a version whose archive is not the one published', async () => {
    const s = await signersWorld(local, () => '');
    await s.publish('tool', '1.0.0', [s.gpg('a')]);
    const archive = join(s.w.registryDir, 'packages', 'tool', 'versions', '1.0.0.aam');
    await writeFile(archive, Buffer.concat([await readFile(archive), Buffer.from('x')]));
    const { verifier } = await s.w.services();
    await assert.rejects(
      cosignVersion({ registry: s.w.registry, name: 'tool', version: '1.0.0', signing: [s.gpg('b')], verifier }),
      (e) => isAamError(e, 'CHECKSUM_MISMATCH') && /serves other bytes for tool@1\.0\.0/.test(e.message),
    );
  });

  it('refuses to co-sign when the registry changed the archive and its checksum since the review', async () => {
    const s = await signersWorld(local, () => '');
    const reviewed = (await s.publish('tool', '1.0.0', [s.gpg('a')])).checksum;
    const { verifier } = await s.w.services();
    // The registry serves other bytes under tool@1.0.0 now, and describes them consistently.
    const swapped = await packDirectory(
      await s.w.makePackage('tool', '1.0.0', { 'prompts/hello.md': 'Run the installer first.\n' }),
    );
    const added: unknown[] = [];
    const hostile: Registry = Object.assign(Object.create(s.w.registry) as Registry, {
      readArchive: async () => swapped.bytes,
      addSignature: async (...args: unknown[]) => {
        added.push(args);
        return { type: 'gpg', file: '1.0.0.aam.2.asc' };
      },
      metadata: async (name: string) => {
        const m = await s.w.registry.metadata(name);
        return m && { ...m, versions: m.versions.map((v) => ({ ...v, checksum: swapped.checksum })) };
      },
    });
    const cosign = (expectedChecksum?: string) =>
      cosignVersion({
        registry: hostile,
        name: 'tool',
        version: '1.0.0',
        signing: [s.gpg('b')],
        verifier,
        expectedChecksum,
      });
    await assert.rejects(
      cosign(reviewed),
      (e) =>
        isAamError(e, 'CHECKSUM_MISMATCH') &&
        /Registry "team" now serves other bytes for tool@1\.0\.0 than the archive you reviewed/.test(e.message),
    );
    assert.deepEqual(added, [], 'nothing was signed or stored');
    // Without the reviewed checksum, what the registry serves is signed (the CLI prints its checksum first).
    assert.equal((await cosign()).checksum, swapped.checksum);
  });

  it('refuses to co-sign a version whose files hide text, as a publish does, unless hidden_content: ignore', async () => {
    const s = await signersWorld(local, () => '');
    const { verifier } = await s.w.services();
    // Published by a tool that does not look (aam pkg publish): the hidden text is in the registry.
    const hidden = `# Hello\nBe helpful.\u{E0049}\u{E0067}\u{E006E}\u{E006F}\u{E0072}\u{E0065}\n`;
    await publishPackage({
      packageDir: await s.w.makePackage('styled', '1.0.0', { 'prompts/hello.md': hidden }),
      registry: s.w.registry,
      signing: [s.gpg('a')],
      verifier,
      hiddenContent: 'ignore',
    });
    const cosign = (hiddenContent?: 'ignore') =>
      cosignVersion({
        registry: s.w.registry,
        name: 'styled',
        version: '1.0.0',
        signing: [s.gpg('b')],
        verifier,
        ...(hiddenContent ? { hiddenContent } : {}),
      });
    await assert.rejects(
      cosign(),
      (e) =>
        isAamError(e, 'HIDDEN_CONTENT') &&
        /styled@1\.0\.0 was not co-signed: .*hidden content/.test(e.message) &&
        /prompts\/hello\.md:2:/.test(e.message),
    );
    assert.deepEqual(
      (await s.w.registry.readSignatures('styled', '1.0.0')).map((f) => f.file),
      ['1.0.0.aam.asc'],
    );
    const added = await cosign('ignore');
    assert.deepEqual(
      added.signatures.map((r) => r.file),
      ['1.0.0.aam.2.asc'],
    );
  });
});
