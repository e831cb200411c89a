import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/load.ts';
import { isAamError, InstallRefusedError } from '../../../src/core/errors.ts';
import { installPackages } from '../../../src/core/workflows/install/install.ts';
import { lockFileText, readLockFile } from '../../../src/core/lockfile/lockfile.ts';
import { exportPublicKey, runGpg } from '../../../src/core/openpgp/gnupg.ts';
import { signingKeySource } from '../../../src/core/openpgp/sign.ts';
import { decide } from '../../../src/core/policy/decision.ts';
import { publishPackage } from '../../../src/core/workflows/publish.ts';
import { staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { signDsseWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { IN_TOTO_PAYLOAD_TYPE, PACKAGE_SIGNATURE_PREDICATE } from '../../../src/core/sigstore/statement.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import { LocalSigstore } from '../../../dev/local-sigstore/instance.ts';
import { mkfifo } from '../../helpers/fifo.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { stopGnupgAtExit } from '../../helpers/temp.ts';
import { makeWorld } from '../../helpers/workspace.ts';
import type { TestWorld } from '../../helpers/workspace.ts';

/**
 * One describe per row of the README's threat model: an input an attacker
 * controls (a registry, a pull request, a certificate), what they try to make
 * it change, and the check that it cannot change a verdict.
 */
describe('threat model', () => {
  const local = useLocalSigstore();
  const STRICT = 'require_signature: true\non_signature_failure: error\ntrusted_identities: ["*@example.com"]';

  async function world(security: string, rootFile = 'trusted_root.json'): Promise<TestWorld> {
    const w = await makeWorld();
    await writeFile(join(w.home, '.aam', rootFile), JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${join(w.home, '.aam', rootFile)}\n${security}`);
    return w;
  }
  const sigstore = (email: string, instance = local.instance()) => ({
    method: 'sigstore' as const,
    endpoints: { fulcio: instance.url, rekor: instance.url, tsa: undefined },
    identityProvider: staticToken(instance.mintToken(email)),
  });
  async function publish(w: TestWorld, name: string, version: string, signing?: ReturnType<typeof sigstore>) {
    const { verifier } = await w.services();
    return publishPackage({ packageDir: await w.makePackage(name, version), registry: w.registry, signing, verifier });
  }
  async function install(w: TestWorld, ...specs: string[]) {
    return installPackages(specs, { ...(await w.services()), registry: w.registry });
  }
  async function verify(w: TestWorld, options: { restricted?: boolean; offline?: boolean } = {}) {
    const config = await loadConfig({
      homeDir: w.home,
      projectDir: w.project,
      env: {},
      restricted: options.restricted ?? false,
    });
    const s = await w.services(config);
    return verifyWorkspace({ ...s, offline: options.offline ?? false });
  }
  const byName = async (w: TestWorld, options?: Parameters<typeof verify>[1]) =>
    Object.fromEntries((await verify(w, options)).map((r) => [r.name, r]));

  describe('registry: a bundle beside the archive', () => {
    it('an attestation by a trusted identity about another artifact does not sign this package', async () => {
      const w = await world(STRICT);
      await publish(w, '@evil/tool', '1.0.0');
      const statement = Buffer.from(
        JSON.stringify({
          _type: 'https://in-toto.io/Statement/v1',
          subject: [
            { name: 'other', digest: { sha256: createHash('sha256').update('another artifact').digest('hex') } },
          ],
          predicateType: PACKAGE_SIGNATURE_PREDICATE,
          predicate: {},
        }),
      );
      const dsse = await signDsseWithSigstore(statement, IN_TOTO_PAYLOAD_TYPE, {
        endpoints: local.endpoints(),
        identityProvider: staticToken(local.instance().mintToken('alice@example.com')),
      });
      await writeFile(`${w.registry.archivePath('@evil/tool', '1.0.0')}.sigstore.json`, dsse.bytes);
      await assert.rejects(
        install(w, '@evil/tool'),
        (e) =>
          e instanceof InstallRefusedError &&
          e.verdicts[0]?.verdict.code === 'SIGNATURE_INVALID' &&
          /not among its subjects/.test(e.message),
      );
    });

    it('metadata.yaml cannot name the signer: the signature file decides', async () => {
      const w = await world('trusted_identities: ["*@example.com"]\non_signature_failure: error');
      await publish(w, 'liar', '1.0.0', sigstore('mallory@evil.io'));
      const metadata = join(w.registry.packageDir('liar'), 'metadata.yaml');
      await writeFile(metadata, (await readFile(metadata, 'utf8')).replaceAll('mallory@evil.io', 'alice@example.com'));
      await assert.rejects(
        install(w, 'liar'),
        (e) => e instanceof InstallRefusedError && e.verdicts[0]?.verdict.code === 'UNTRUSTED_SIGNER',
      );
    });
  });

  describe('registry: other bytes for a published version', () => {
    it('never flips the verdict of what was installed; the change is its own failing finding', async () => {
      const w = await world(STRICT);
      await publish(w, 'hello', '1.0.0', sigstore('alice@example.com'));
      await install(w, 'hello');
      const archive = w.registry.archivePath('hello', '1.0.0');
      await writeFile(archive, Buffer.concat([await readFile(archive), Buffer.from('tampered')]));
      const online = (await byName(w)).hello!;
      assert.deepEqual(
        [online.verdict.status, online.findings.map((f) => `${f.code}/${f.action}`)],
        ['verified', ['REGISTRY_CHANGED/fail']],
      );
      // The registry out of reach (moved away): the same verdict, and nothing to report about it.
      await rename(w.registryDir, `${w.registryDir}.away`);
      const unreachable = (await byName(w)).hello!;
      assert.deepEqual([unreachable.verdict.status, unreachable.findings], ['verified', []]);
      const offline = (await byName(w, { offline: true })).hello!;
      assert.deepEqual([offline.verdict.status, offline.findings], ['verified', []]);
    });

    it('an archive whose aam.yaml is another package is refused at install', async () => {
      const w = await world('');
      await publish(w, '@acme/a', '1.0.0');
      await publish(w, '@acme/b', '1.0.0');
      // The registry serves a's archive as b (and updates b's checksum to match).
      await copyFile(w.registry.archivePath('@acme/a', '1.0.0'), w.registry.archivePath('@acme/b', '1.0.0'));
      const metadata = join(w.registry.packageDir('@acme/b'), 'metadata.yaml');
      const a = (await w.registry.resolve('@acme/a')).entry.checksum;
      const b = (await w.registry.resolve('@acme/b')).entry.checksum;
      await writeFile(metadata, (await readFile(metadata, 'utf8')).replace(b, a));
      await assert.rejects(
        install(w, '@acme/b'),
        (e) => e instanceof InstallRefusedError && e.verdicts[0]?.verdict.code === 'PACKAGE_MISMATCH',
      );
    });
  });

  describe('pull request: the lock file', () => {
    it('a signed 1.0.0 copied into the 1.0.1 slot (rollback) fails as another version', async () => {
      const w = await world(STRICT);
      await publish(w, '@acme/hello', '1.0.0', sigstore('alice@example.com'));
      await publish(w, '@acme/hello', '1.0.1', sigstore('alice@example.com'));
      await install(w, '@acme/hello@1.0.0');
      // The attacker's commit: the lock entry says 1.0.1 but keeps 1.0.0's digests, and the registry's
      // 1.0.1 slot holds the signed 1.0.0 archive and signature.
      const lock = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
      lock.packages['@acme/hello']!.version = '1.0.1';
      await writeFile(join(w.project, '.aam', 'aam-lock.yaml'), lockFileText(lock));
      for (const suffix of ['', '.sigstore.json'])
        await copyFile(
          `${w.registry.archivePath('@acme/hello', '1.0.0')}${suffix}`,
          `${w.registry.archivePath('@acme/hello', '1.0.1')}${suffix}`,
        );
      const report = (await byName(w))['@acme/hello']!;
      assert.deepEqual(
        [report.verdict.status, report.verdict.code, report.verdict.action],
        ['tampered', 'PACKAGE_MISMATCH', 'fail'],
      );
      assert.equal(report.verdict.actual, '@acme/hello@1.0.0');
    });

    it('a checksum edited to another archive finds nothing authentic to verify with', async () => {
      const w = await world('');
      await publish(w, 'hello', '1.0.0');
      await install(w, 'hello');
      const lockPath = join(w.project, '.aam', 'aam-lock.yaml');
      const lock = await readLockFile(lockPath);
      lock.packages.hello!.checksum = `sha256:${'1'.repeat(64)}`;
      await writeFile(lockPath, lockFileText(lock));
      const report = (await byName(w)).hello!;
      assert.deepEqual([report.verdict.code, report.verdict.action], ['ARCHIVE_UNAVAILABLE', 'fail']);
    });

    it('a lock file or project config that is a link to a FIFO or /dev/zero is refused at once', async () => {
      const w = await world('');
      await publish(w, 'hello', '1.0.0');
      await install(w, 'hello');
      const lockPath = join(w.project, '.aam', 'aam-lock.yaml');
      await rm(lockPath);
      await symlink('/dev/zero', lockPath);
      await assert.rejects(verify(w), (e) => isAamError(e, 'FILE_REFUSED') && /symbolic link/.test(e.message));
      await rm(lockPath);
      await mkfifo(lockPath);
      await assert.rejects(verify(w), (e) => isAamError(e, 'FILE_REFUSED') && /FIFO/.test(e.message));
      await mkfifo(join(w.root, 'fifo'));
      await symlink(join(w.root, 'fifo'), join(w.project, '.aam', 'config.yaml'));
      await assert.rejects(loadConfig({ homeDir: w.home, projectDir: w.project, env: {} }), (e) =>
        isAamError(e, 'FILE_REFUSED'),
      );
    });
  });

  describe('pull request: project trust material in Restricted Mode', () => {
    it('a relative sigstore_trusted_root that resolves beside the project file is never the trust root', async () => {
      // The global policy names its root relatively, beside ~/.aam/config.yaml.
      const w = await makeWorld();
      await writeFile(join(w.home, '.aam', 'trusted_root.json'), JSON.stringify(local.instance().trustedRoot()));
      await w.writeGlobalConfig(`sigstore_trusted_root: trusted_root.json\n${STRICT}`);
      const attacker = await LocalSigstore.start();
      try {
        // The pull request: the same string in the project config, and the attacker's own root beside it.
        await writeFile(join(w.project, '.aam', 'trusted_root.json'), JSON.stringify(attacker.trustedRoot()));
        await w.writeProjectConfig('security:\n  sigstore_trusted_root: trusted_root.json\n');
        await publish(w, 'evil', '1.0.0', sigstore('alice@example.com', attacker));
        await install(w, 'evil');
        const trusted = (await byName(w)).evil!;
        assert.equal(trusted.verdict.status, 'verified', 'a trusted workspace does use its project root…');
        const config = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {} });
        assert.match(
          config.findings.map((f) => f.message).join('\n'),
          /replaces the Sigstore trust root.*project\/\.aam\/trusted_root\.json instead of .*home\/\.aam\/trusted_root\.json/,
          '…and flags it',
        );
        const restricted = (await byName(w, { restricted: true })).evil!;
        assert.deepEqual([restricted.verdict.code, restricted.verdict.action], ['SIGNATURE_INVALID', 'fail']);
        const config2 = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {}, restricted: true });
        assert.equal(
          config2.merged.originOf(['security', 'sigstore_trusted_root']).file,
          join(w.home, '.aam', 'config.yaml'),
        );
        assert.ok(config2.findings.some((f) => f.path.join('.') === 'security.sigstore_trusted_root'));
      } finally {
        await attacker.close();
      }
    });

    it('a relative gpg_home that resolves to a project keyring cannot undo a revocation', async () => {
      const w = await makeWorld();
      const gnupg = join(w.home, '.aam', 'gnupg');
      await mkdir(gnupg, { mode: 0o700 });
      stopGnupgAtExit(gnupg);
      assert.equal(
        (
          await runGpg(
            [
              '--pinentry-mode',
              'loopback',
              '--passphrase',
              '',
              '--quick-gen-key',
              'Release <release@example.com>',
              'ed25519',
              'sign',
              'never',
            ],
            { gpgHome: gnupg },
          )
        ).code,
        0,
      );
      const list = await runGpg(['--with-colons', '--list-keys', 'release@example.com'], { gpgHome: gnupg });
      const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(list.stdout.toString())![1]!;
      await w.writeGlobalConfig(
        `gpg_home: gnupg\nrequire_signature: true\non_signature_failure: error\ntrusted_keys: [${fingerprint}]`,
      );
      const { verifier } = await w.services();
      await publishPackage({
        packageDir: await w.makePackage('signed', '1.0.0'),
        registry: w.registry,
        verifier,
        signing: { method: 'gpg', keySource: signingKeySource('release@example.com', gnupg), prompt: async () => '' },
      });
      await install(w, 'signed');
      // The pull request carries a keyring with the key as it was before it was revoked.
      const projectKeyring = join(w.project, '.aam', 'gnupg');
      await mkdir(projectKeyring, { mode: 0o700 });
      stopGnupgAtExit(projectKeyring);
      await runGpg(['--import'], { gpgHome: projectKeyring, input: await exportPublicKey(gnupg, fingerprint) });
      await w.writeProjectConfig('security:\n  gpg_home: gnupg\n');
      // The key is revoked in the user's keyring (the certificate gpg made with the key).
      const revocation = (await readFile(join(gnupg, 'openpgp-revocs.d', `${fingerprint}.rev`), 'utf8')).replace(
        ':-----BEGIN',
        '-----BEGIN',
      );
      assert.equal((await runGpg(['--import'], { gpgHome: gnupg, input: revocation })).code, 0);
      await chmod(gnupg, 0o700);
      const restricted = (await byName(w, { restricted: true })).signed!;
      assert.equal(restricted.verdict.action, 'fail', JSON.stringify(restricted.verdict));
      assert.notEqual(restricted.verdict.status, 'verified');
    });
  });

  describe('pull request: a project setting that weakens the global policy', () => {
    it('is flagged in a trusted workspace and ignored in Restricted Mode', async () => {
      const w = await world(STRICT);
      await publish(w, 'stranger', '1.0.0', sigstore('mallory@evil.io'));
      await w.writeProjectConfig(
        `security:\n  trusted_identities:\n    - "*@example.com"\n    - identity: mallory@evil.io\n      issuer: ${local.instance().oidcIssuer}\n`,
      );
      const trustedConfig = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {} });
      assert.match(
        trustedConfig.findings.map((f) => f.message).join('\n'),
        /trusts "mallory@evil.io \(issuer .*\)", who the global policy does not trust/,
      );
      const restrictedConfig = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {}, restricted: true });
      assert.deepEqual(restrictedConfig.security.trusted_identities, ['*@example.com']);
    });
  });

  describe('"Trust this signer" pins the issuer', () => {
    it('a pinned identity does not trust the same address from another issuer', async () => {
      const w = await world(
        `trusted_identities:\n  - identity: alice@example.com\n    issuer: https://accounts.google.com\non_signature_failure: error`,
      );
      await publish(w, 'hello', '1.0.0', sigstore('alice@example.com'));
      await assert.rejects(
        install(w, 'hello'),
        (e) => e instanceof InstallRefusedError && e.verdicts[0]?.verdict.code === 'UNTRUSTED_SIGNER',
      );
      await w.writeGlobalConfig(
        `sigstore_trusted_root: ${join(w.home, '.aam', 'trusted_root.json')}\ntrusted_identities:\n  - identity: alice@example.com\n    issuer: ${local.instance().oidcIssuer}\non_signature_failure: error`,
      );
      const [installed] = await install(w, 'hello');
      assert.equal(installed?.verdict.status, 'verified');
      assert.equal(installed?.verdict.trustedBy?.pattern, `alice@example.com (issuer ${local.instance().oidcIssuer})`);
      // The same checks under an entry pinned to another issuer: untrusted.
      const [report] = await verify(w);
      const pinnedElsewhere = {
        policy: {
          ...(await loadConfig({ homeDir: w.home, projectDir: w.project, env: {} })).security,
          trusted_identities: [{ identity: 'alice@example.com', issuer: 'https://accounts.google.com' }],
        },
      };
      assert.equal(decide(report!.checks, pinnedElsewhere).code, 'UNTRUSTED_SIGNER');
    });
  });

  describe('a file registry: require_registry_attestation', () => {
    it('a package from a file registry, which attests nothing, fails with that reason, at install and at verify', async () => {
      const w = await world('');
      await publish(w, 'hello', '1.0.0', sigstore('alice@example.com'));
      await publish(w, 'hello', '1.0.1', sigstore('alice@example.com'));
      await install(w, 'hello@1.0.0');
      await w.writeGlobalConfig(
        `sigstore_trusted_root: ${join(w.home, '.aam', 'trusted_root.json')}\n${STRICT}\ntrust_registry_attestations: true\ntrusted_registries: [team]\nrequire_registry_attestation: true`,
      );
      const { hello } = await byName(w);
      assert.equal(hello?.verdict.action, 'fail');
      assert.equal(hello?.verdict.code, 'ATTESTATION_REQUIRED');
      assert.equal(hello?.verdict.status, 'unattested');
      assert.match(hello!.verdict.message, /installed from local registry "team", which attests nothing/);
      await assert.rejects(
        install(w, 'hello@1.0.1'),
        (e) => e instanceof InstallRefusedError && e.verdicts[0]?.verdict.code === 'ATTESTATION_REQUIRED',
      );
    });
  });
});
