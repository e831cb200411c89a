import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mkfifo } from '../../../helpers/fifo.ts';
import { installPackages } from '../../../../src/core/workflows/install/install.ts';
import { verifyWorkspace } from '../../../../src/core/verify/workspace.ts';
import { publishPackage } from '../../../../src/core/workflows/publish.ts';
import { staticToken } from '../../../../src/core/sigstore/identity/providers.ts';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import { InstallRefusedError, isAamError } from '../../../../src/core/errors.ts';
import { makeWorld } from '../../../helpers/workspace.ts';
import type { TestWorld } from '../../../helpers/workspace.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';

describe('install and verify, with signatures from a local Sigstore instance', () => {
  const local = useLocalSigstore();

  async function world(security: string): Promise<TestWorld> {
    const w = await makeWorld();
    const rootPath = join(w.root, 'trusted_root.json');
    await writeFile(rootPath, JSON.stringify(local.instance().trustedRoot()));
    await w.writeGlobalConfig(`sigstore_trusted_root: ${rootPath}\n${security}`);
    return w;
  }
  async function publish(
    w: TestWorld,
    name: string,
    version: string,
    signer?: string,
    deps: Record<string, string> = {},
  ) {
    const { verifier } = await w.services();
    const signing = signer
      ? {
          method: 'sigstore' as const,
          endpoints: local.endpoints(),
          identityProvider: staticToken(local.instance().mintToken(signer)),
        }
      : undefined;
    return publishPackage({
      packageDir: await w.makePackage(name, version, undefined, deps),
      registry: w.registry,
      signing,
      verifier,
    });
  }
  async function install(w: TestWorld, ...specs: string[]) {
    const s = await w.services();
    return installPackages(specs, { ...s, registry: w.registry });
  }
  async function verify(w: TestWorld, offline = false) {
    const s = await w.services();
    return verifyWorkspace({ ...s, offline });
  }
  const statuses = (reports: Awaited<ReturnType<typeof verify>>) =>
    Object.fromEntries(
      reports.map((r) => [
        r.name,
        `${r.verdict.status}/${r.verdict.action}/${r.verdict.code}${r.findings.map((f) => ` +${f.code}/${f.action}`).join('')}`,
      ]),
    );

  it('publishes signed, installs verified, and records the signature in the lock file', async () => {
    const w = await world('trusted_identities: ["*@example.com"]');
    const published = await publish(w, '@acme/hello', '1.0.0', 'alice@example.com');
    assert.equal(published.signatures[0]?.identity, 'alice@example.com');
    assert.equal(published.signatures[0]?.file, '1.0.0.aam.sigstore.json');
    const [installed] = await install(w, '@acme/hello');
    assert.equal(installed?.verdict.status, 'verified');
    const lock = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
    const entry = lock.packages['@acme/hello']!;
    assert.equal(entry.checksum, (await w.registry.resolve('@acme/hello')).entry.checksum);
    // aam verify looks for a scoped package in the wrong folder: for those no file checksums, as aam writes.
    assert.equal(entry.file_checksums, null);
    assert.equal(entry.signature?.type, 'sigstore');
    assert.equal(entry.signature?.identity, 'alice@example.com');
    assert.match(entry.signature?.bundle_digest ?? '', /^sha256:/);
    assert.deepEqual(statuses(await verify(w)), { '@acme/hello': 'verified/pass/VERIFIED' });
  });

  it('refuses an install whose verdict is fail and writes nothing', async () => {
    const w = await world('trusted_identities: ["*@example.com"]\non_signature_failure: error');
    await publish(w, 'evil', '1.0.0', 'mallory@evil.io');
    const before = await readdir(join(w.project, '.aam'));
    await assert.rejects(
      install(w, 'evil'),
      (e) =>
        e instanceof InstallRefusedError &&
        e.verdicts[0]?.verdict.code === 'UNTRUSTED_SIGNER' &&
        /Nothing was installed/.test(e.hint ?? ''),
    );
    assert.deepEqual(await readdir(join(w.project, '.aam')), before);
  });

  it('installs nothing when any package of the plan fails (dependency signed by an untrusted signer)', async () => {
    const w = await world('trusted_identities: ["*@example.com"]\non_signature_failure: error');
    await publish(w, 'dep', '1.0.0', 'mallory@evil.io');
    await publish(w, 'app', '1.0.0', 'alice@example.com', { dep: '^1.0.0' });
    await assert.rejects(
      install(w, 'app'),
      (e) => e instanceof InstallRefusedError && e.verdicts.map((v) => v.name).join() === 'dep',
    );
    assert.deepEqual((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages, {});
  });

  it('installs dependencies and records their resolved versions', async () => {
    const w = await world('trusted_identities: ["*@example.com"]');
    await publish(w, 'dep', '1.0.0', 'alice@example.com');
    await publish(w, 'dep', '1.1.0', 'alice@example.com');
    await publish(w, 'app', '1.0.0', 'alice@example.com', { dep: '~1.0.0' });
    assert.deepEqual((await install(w, 'app')).map((i) => `${i.name}@${i.version}`).sort(), ['app@1.0.0', 'dep@1.0.0']);
    assert.deepEqual((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages.app?.dependencies, {
      dep: '1.0.0',
    });
  });

  it('refuses a dependency conflict, and records the version installed where dependents agree', async () => {
    const w = await world('trusted_identities: ["*@example.com"]');
    for (const version of ['1.0.0', '1.2.0', '2.0.0']) await publish(w, 'lib', version, 'alice@example.com');
    await publish(w, 'helper', '1.0.0', 'alice@example.com', { lib: '^2.0.0' });
    await publish(w, 'tool', '1.0.0', 'alice@example.com', { lib: '^1.0.0' });
    // lib@1.0.0 asked for, helper needs ^2.0.0: one version cannot be both (aam's resolver refuses it too).
    await assert.rejects(
      install(w, 'lib@1.0.0', 'helper'),
      /^AamError: Dependency conflict: helper@1\.0\.0 asks for lib@\^2\.0\.0, but lib@1\.0\.0 is being installed\.$/,
    );
    assert.deepEqual(await readdir(join(w.project, '.aam')), [], 'nothing was installed');
    // tool needs ^1.0.0 (1.2.0 resolves), lib@1.0.0 meets it: installed, and tool's entry says what is installed.
    await install(w, 'lib@1.0.0', 'tool');
    const lock = await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'));
    assert.equal(lock.packages.lib?.version, '1.0.0');
    assert.deepEqual(lock.packages.tool?.dependencies, { lib: '1.0.0' });
  });

  it('refuses a registry archive whose checksum does not match its metadata', async () => {
    const w = await world('');
    await publish(w, 'hello', '1.0.0');
    await appendFile(w.registry.archivePath('hello', '1.0.0'), Buffer.from([0]));
    await assert.rejects(
      install(w, 'hello'),
      (e) => e instanceof InstallRefusedError && e.verdicts[0]?.verdict.code === 'CHECKSUM_MISMATCH',
    );
  });

  it('blocks packages listed in blocked_packages before downloading', async () => {
    const w = await world('blocked_packages: ["@evil/*"]');
    await publish(w, '@evil/x', '1.0.0');
    await assert.rejects(install(w, '@evil/x'), (e) => isAamError(e, 'PACKAGE_BLOCKED'));
  });

  it('gives every state its own status: verified, unsigned, untrusted, registry changed, modified file', async () => {
    const w = await world('trusted_identities: ["*@example.com"]');
    await publish(w, 'good', '1.0.0', 'alice@example.com');
    await publish(w, 'plain', '1.0.0');
    await publish(w, 'stranger', '1.0.0', 'mallory@evil.io');
    await publish(w, 'swapped', '1.0.0', 'alice@example.com');
    await publish(w, 'edited', '1.0.0', 'alice@example.com');
    await install(w, 'good', 'plain', 'stranger', 'swapped', 'edited');
    const swapped = w.registry.archivePath('swapped', '1.0.0');
    await writeFile(swapped, Buffer.concat([await readFile(swapped), Buffer.from('x')]));
    await appendFile(join(w.project, '.aam', 'packages', 'edited', 'prompts', 'hello.md'), 'injected instructions');
    assert.deepEqual(statuses(await verify(w)), {
      good: 'verified/pass/VERIFIED',
      plain: 'unsigned/pass/UNSIGNED',
      stranger: 'signed-untrusted/warn/UNTRUSTED_SIGNER',
      swapped: 'verified/pass/VERIFIED +REGISTRY_CHANGED/fail',
      edited: 'tampered/fail/FILES_MODIFIED',
    });
  });

  it('treats added files, planted links and FIFOs in an installed package as modifications', async () => {
    const w = await world('');
    await publish(w, 'a', '1.0.0');
    await publish(w, 'b', '1.0.0');
    await publish(w, 'c', '1.0.0');
    await install(w, 'a', 'b', 'c');
    const pkg = (name: string) => join(w.project, '.aam', 'packages', name);
    await writeFile(join(pkg('a'), 'prompts', 'extra.md'), 'new instructions');
    await rm(join(pkg('b'), 'prompts', 'hello.md'));
    await symlink('/etc/hostname', join(pkg('b'), 'prompts', 'hello.md'));
    await rm(join(pkg('c'), 'prompts', 'hello.md'));
    await mkfifo(join(pkg('c'), 'prompts', 'hello.md'));
    const reports = await verify(w);
    assert.deepEqual(
      reports.map((r) => r.verdict.code),
      ['FILES_MODIFIED', 'FILES_MODIFIED', 'FILES_MODIFIED'],
    );
    assert.match(reports[0]!.verdict.message, /added: prompts\/extra.md/);
  });

  it('refuses a FIFO, a folder or a link where the registry keeps an archive or signature, without waiting on it', async () => {
    const w = await world('trusted_identities: ["*@example.com"]\non_signature_failure: error');
    for (const name of ['piped', 'folder', 'signature', 'zero']) await publish(w, name, '1.0.0', 'alice@example.com');
    await install(w, 'piped', 'folder', 'signature', 'zero');
    await rm(w.registry.archivePath('piped', '1.0.0'));
    await mkfifo(w.registry.archivePath('piped', '1.0.0'));
    await rm(w.registry.archivePath('folder', '1.0.0'));
    await mkdir(w.registry.archivePath('folder', '1.0.0'));
    const bundle = `${w.registry.archivePath('signature', '1.0.0')}.sigstore.json`;
    await rm(bundle);
    await mkfifo(join(w.root, 'fifo'));
    await symlink(join(w.root, 'fifo'), bundle);
    await rm(w.registry.archivePath('zero', '1.0.0'));
    await symlink('/dev/zero', w.registry.archivePath('zero', '1.0.0'));
    const reports = Object.fromEntries((await verify(w)).map((r) => [r.name, r]));
    for (const [name, refused] of [
      ['piped', /not a regular file \(a FIFO\)/],
      ['folder', /not a regular file \(a folder\)/],
      ['signature', /symbolic link/],
      ['zero', /symbolic link/],
    ] as const) {
      // Judged by what was captured at install (the evidence cache); the registry's state is its own failing finding.
      assert.equal(reports[name]!.verdict.status, 'verified', name);
      assert.equal(reports[name]!.findings[0]?.code, 'REGISTRY_CHANGED', name);
      assert.match(reports[name]!.findings[0]!.actual ?? '', refused, name);
    }
    // Without the cache, nothing authentic is left to verify with.
    await rm(join(w.home, '.aam', 'cache'), { recursive: true });
    const bare = Object.fromEntries((await verify(w)).map((r) => [r.name, r]));
    assert.deepEqual(
      [bare.piped!.verdict.code, bare.zero!.verdict.code, bare.signature!.verdict.code],
      ['ARCHIVE_UNAVAILABLE', 'ARCHIVE_UNAVAILABLE', 'SIGNATURE_INVALID'],
    );
    assert.equal(bare.piped!.findings[0]?.code, 'REGISTRY_CHANGED');
  });

  it('notices a signature removed or replaced in the registry after install, without changing the verdict', async () => {
    const w = await world('trusted_identities: ["*@example.com"]\non_signature_failure: error');
    await publish(w, 'hello', '1.0.0', 'alice@example.com');
    await install(w, 'hello');
    await rm(`${w.registry.archivePath('hello', '1.0.0')}.sigstore.json`);
    const [report] = await verify(w);
    assert.deepEqual(
      [report?.verdict.status, report?.findings.map((f) => `${f.code}/${f.action}`)],
      ['verified', ['REGISTRY_CHANGED/fail']],
    );
    assert.match(report!.findings[0]!.message, /no longer serves the signature/);
    // With the captured bundle gone from the cache too, the signature recorded at install is missing: that fails.
    await rm(join(w.home, '.aam', 'cache'), { recursive: true });
    const [bare] = await verify(w);
    assert.deepEqual([bare?.verdict.code, bare?.verdict.action], ['SIGNATURE_INVALID', 'fail']);
    assert.match(bare!.verdict.message, /recorded at install/);
  });

  it('notices a lock file whose file checksums were edited to match modified files', async () => {
    const w = await world('');
    await publish(w, 'hello', '1.0.0');
    await install(w, 'hello');
    const lockPath = join(w.project, '.aam', 'aam-lock.yaml');
    const lock = await readFile(lockPath, 'utf8');
    const file = join(w.project, '.aam', 'packages', 'hello', 'prompts', 'hello.md');
    await writeFile(file, 'evil');
    const { sha256FileHex } = await import('../../../../src/core/archive/hash.ts');
    const original = (await readLockFile(lockPath)).packages.hello!.file_checksums!.files['prompts/hello.md']!;
    await writeFile(lockPath, lock.replace(original, await sha256FileHex(file)));
    const [report] = await verify(w);
    assert.equal(report?.verdict.code, 'CHECKSUM_MISMATCH');
    assert.match(report!.verdict.message, /lock file was edited/);
  });

  it('verifies offline from the evidence cache, and says so when evidence is missing', async () => {
    const w = await world('trusted_identities: ["*@example.com"]');
    await publish(w, 'hello', '1.0.0', 'alice@example.com');
    await install(w, 'hello');
    assert.deepEqual(statuses(await verify(w, true)), { hello: 'verified/pass/VERIFIED' });
    await rm(join(w.home, '.aam', 'cache'), { recursive: true });
    const [report] = await verify(w, true);
    assert.deepEqual([report?.verdict.code, report?.verdict.action], ['ARCHIVE_UNAVAILABLE', 'fail']);
    assert.match(report!.verdict.message, /offline cache/);
  });
});
