import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { VerifiedLedger } from '../../../src/core/verify/cached-verification.ts';
import { evidenceSource } from '../../../src/core/verify/evidence/sources.ts';
import { loadConfig } from '../../../src/core/config/load.ts';
import { verifyWorkspace } from '../../../src/core/verify/workspace.ts';
import { bucketOf } from '../../../src/core/verify/verdict/vocabulary.ts';
import { blockedBy } from '../../../src/core/policy/name-pattern.ts';
import { archivePathIn, SIGNATURE_SUFFIX } from '../../../src/core/registry/layout.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { signersWorld, statusOf } from '../../helpers/signers.ts';

/**
 * spec3-review E1: `blocked_packages` was read by install only, so a blocked package committed with its lock
 * entry (or installed by a tool that does not read the list) passed verification, signed by a trusted signer.
 * Verification now fails it, over every other verdict, whichever config the entry comes from.
 */
describe('blocked_packages and allowed_registries at verification', () => {
  const local = useLocalSigstore();
  const TRUST = 'trusted_identities: ["alice@example.com"]\non_signature_failure: error';

  it('fails an installed package the policy blocks, by its name or its scope, and no other', async () => {
    const s = await signersWorld(local, () => TRUST);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.publish('@other/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.install('@acme/tool', '@other/tool');
    const statuses = async () => Object.fromEntries((await s.verify()).map((r) => [r.name, statusOf(r)]));
    assert.deepEqual(await statuses(), {
      '@acme/tool': 'verified/pass/VERIFIED',
      '@other/tool': 'verified/pass/VERIFIED',
    });
    for (const entry of ['@acme/tool', '@acme/*']) {
      await s.writeSecurity(`${TRUST}\nblocked_packages: ["${entry}"]`);
      const reports = await s.verify();
      const blocked = reports.find((r) => r.name === '@acme/tool')!;
      assert.equal(statusOf(blocked), 'blocked/fail/PACKAGE_BLOCKED', entry);
      assert.match(
        blocked.verdict.message,
        new RegExp(`blocked by blocked_packages \\("${entry.replace('*', '\\*')}"\\)`),
      );
      assert.equal(blocked.verdict.rule?.key, 'blocked_packages');
      assert.equal(bucketOf(blocked), 'failed');
      assert.equal(statusOf(reports.find((r) => r.name === '@other/tool')), 'verified/pass/VERIFIED');
    }
  });

  it("a project's list adds to the global one, which it cannot unblock (Restricted Mode)", async () => {
    const s = await signersWorld(local, () => `${TRUST}\nblocked_packages: ["@acme/tool"]`);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.publish('@other/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.writeSecurity(TRUST);
    await s.install('@acme/tool', '@other/tool');
    await s.writeSecurity(`${TRUST}\nblocked_packages: ["@acme/tool"]`);
    await s.w.writeProjectConfig('security:\n  blocked_packages: ["@other/*"]\n');
    const config = await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, env: {}, restricted: true });
    const reports = await verifyWorkspace({ ...(await s.w.services(config)), homeDir: s.w.home } as never);
    assert.deepEqual(reports.map(statusOf).sort(), ['blocked/fail/PACKAGE_BLOCKED', 'blocked/fail/PACKAGE_BLOCKED']);
  });

  it('whatever else decides: on_signature_failure: ignore, and an archive out of reach with --use-cached-verification (diff12-review B1, B2)', async () => {
    const s = await signersWorld(local, () => TRUST);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.install('@acme/tool');
    await s.writeSecurity('on_signature_failure: ignore\nblocked_packages: ["@acme/tool"]');
    assert.equal(statusOf((await s.verify())[0]), 'blocked/fail/PACKAGE_BLOCKED');
    // A result that failed before its signature was looked at named no package, and stood in for the evidence.
    const ledger = new VerifiedLedger(join(s.w.home, '.aam', 'cache', 'verified'));
    const verify = async (useCachedVerification: boolean) =>
      (await verifyWorkspace({ ...(await s.w.services()), homeDir: s.w.home, ledger, useCachedVerification }))[0];
    await s.writeSecurity(TRUST);
    assert.equal(statusOf(await verify(false)), 'verified/pass/VERIFIED');
    await s.writeSecurity(`${TRUST}\nblocked_packages: ["@acme/tool"]`);
    await rm(join(s.w.home, '.aam', 'cache', 'sha256'), { recursive: true, force: true });
    await rename(s.w.registryDir, `${s.w.registryDir}.down`);
    const cached = await verify(true);
    assert.ok(cached?.checks.cached, 'the ledger stood in');
    assert.equal(statusOf(cached), 'blocked/fail/PACKAGE_BLOCKED');
  });

  it('allowed_registries: a lock entry naming another registry fails, and so does one rewritten to source: local', async () => {
    const s = await signersWorld(local, () => TRUST);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    await s.install('@acme/tool');
    await s.writeSecurity(`${TRUST}\nallowed_registries: ["team"]`);
    assert.equal(statusOf((await s.verify())[0]), 'verified/pass/VERIFIED');
    // The pull request: a copy of the registry under a new name, and the lock entry pointed at it.
    const copy = join(s.w.root, 'copied-registry');
    await cp(s.w.registryDir, copy, { recursive: true });
    await s.w.writeProjectConfig(
      `registries:\n  - name: mirror\n    url: ${pathToFileURL(copy).href}\n    type: local\n`,
    );
    const lockPath = join(s.w.project, '.aam', 'aam-lock.yaml');
    const lock = await readFile(lockPath, 'utf8');
    await writeFile(lockPath, lock.replace(/source: team/, 'source: mirror'));
    const config = await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, env: {}, restricted: true });
    const [moved] = await verifyWorkspace({ ...(await s.w.services(config)), homeDir: s.w.home } as never);
    assert.equal(statusOf(moved), 'blocked/fail/REGISTRY_NOT_ALLOWED', moved!.verdict.message);
    assert.match(moved!.verdict.message, /registry "mirror", which is not in allowed_registries \(team\)/);
    // Nor is it exempt as a .aam file's install by saying `source: local`: the archive this machine keeps
    // came from a registry (diff14-review A2: it verified from the evidence cache).
    await writeFile(lockPath, lock.replace(/source: team/, 'source: local'));
    const [said] = await s.verify();
    assert.equal(statusOf(said), 'blocked/fail/REGISTRY_NOT_ALLOWED', said!.verdict.message);
    assert.match(
      said!.verdict.message,
      /says source: local: no registry of that name is in allowed_registries \(team\), and this machine did not install it from a \.aam file/,
    );
    // But a registry the pull request names "local" is a registry like any other (diff14-review A1).
    await s.w.writeProjectConfig(
      `registries:\n  - name: local\n    url: ${pathToFileURL(copy).href}\n    type: local\n`,
    );
    const restricted = await loadConfig({ homeDir: s.w.home, projectDir: s.w.project, env: {}, restricted: true });
    const [named] = await verifyWorkspace({ ...(await s.w.services(restricted)), homeDir: s.w.home } as never);
    assert.equal(statusOf(named), 'blocked/fail/REGISTRY_NOT_ALLOWED', named!.verdict.message);
    // Its hint names that way out too, beside a .aam file's (diff15-review L2).
    assert.match(named!.verdict.hint ?? '', /if "local" is a registry you trust, add it to allowed_registries/);
  });

  it("a .aam file's install is exempt where this machine made it, and only while it keeps that fact", async () => {
    const s = await signersWorld(local, () => TRUST);
    await s.publish('@acme/tool', '1.0.0', [s.sigstore('alice@example.com')]);
    const file = join(s.w.root, 'tool-1.0.0.aam');
    await cp(archivePathIn(s.w.registryDir, '@acme/tool', '1.0.0'), file);
    const signature = `${archivePathIn(s.w.registryDir, '@acme/tool', '1.0.0')}${SIGNATURE_SUFFIX.sigstore}`;
    await cp(signature, `${file}${SIGNATURE_SUFFIX.sigstore}`);
    await s.writeSecurity(`${TRUST}\nallowed_registries: ["team"]`);
    await s.install(file);
    const lock = await readFile(join(s.w.project, '.aam', 'aam-lock.yaml'), 'utf8');
    assert.match(lock, /source: local/);
    for (const offline of [false, true]) {
      const [kept] = await verifyWorkspace({ ...(await s.w.services()), offline } as never);
      assert.equal(statusOf(kept), 'verified/pass/VERIFIED', kept!.verdict.message);
    }
    // The note is evidence like the archive: gone, the exemption goes with it (and a stored result with it).
    await rm(join(s.w.home, '.aam', 'cache', 'from-file'), { recursive: true });
    const [dropped] = await s.verify();
    assert.equal(statusOf(dropped), 'blocked/fail/REGISTRY_NOT_ALLOWED', dropped!.verdict.message);
    assert.match(dropped!.verdict.hint ?? '', /aam-trust install FILE\.aam --force/);
  });

  it('tells a .aam file from a registry named "local" offline too', () => {
    const entry = { version: '1.0.0', source: 'local', checksum: `sha256:${'0'.repeat(64)}` } as never;
    const named = { name: 'local', url: 'file:///nowhere', type: 'local' as const, default: false };
    for (const offline of [false, true]) {
      assert.equal(evidenceSource(entry, [], '/nowhere', offline).fromFile, true);
      assert.equal(evidenceSource(entry, [named], '/nowhere', offline).fromFile, undefined);
    }
  });

  it('reads the list as install does: a name or @scope/*, nothing broader', () => {
    assert.equal(blockedBy('@acme/tool', ['@acme/*']), '@acme/*');
    assert.equal(blockedBy('@acme/tool', ['@acme/tool']), '@acme/tool');
    assert.equal(blockedBy('@acme/tool', ['*', '@acme', '@acm/*', '@acme/to']), undefined);
    assert.equal(blockedBy('tool', ['@acme/*']), undefined);
  });
});
