import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { installPackages } from '../../../../src/core/workflows/install/install.ts';
import { acceptChanges } from '../../../../src/core/workflows/accept.ts';
import { verifyWorkspace } from '../../../../src/core/verify/workspace.ts';
import { readTrustRecord } from '../../../../src/core/record/trust-record.ts';
import { readLockFile } from '../../../../src/core/lockfile/lockfile.ts';
import { loadConfig } from '../../../../src/core/config/load.ts';
import { isAamError } from '../../../../src/core/errors.ts';
import { STATUS_LABEL, tally } from '../../../../src/core/verify/verdict/vocabulary.ts';
import { cli } from '../../../helpers/cli.ts';
import { signedWorld } from '../../../helpers/signed-world.ts';
import type { SignedWorld } from '../../../helpers/signed-world.ts';
import { useLocalSigstore } from '../../../helpers/sigstore.ts';

const MODERATE = 'trusted_identities: ["*@example.com"]';
const STRICT = `${MODERATE}\nrequire_signature: true\non_signature_failure: error`;

describe('install --no-verify: the escape hatch, made visible', () => {
  const local = useLocalSigstore();

  const world = (security: string) => signedWorld(local.instance(), security);
  const publish = (w: SignedWorld, name: string, signer: string | undefined) => w.publish(name, '1.0.0', signer);
  async function verify(w: SignedWorld) {
    return verifyWorkspace({ ...(await w.services()), recordSigners: true });
  }
  const state = (reports: Awaited<ReturnType<typeof verify>>) =>
    reports.map((r) => `${r.name}:${r.verdict.status}/${r.verdict.action}`).join(' ');

  it('installs a package whose signer the policy would refuse, records it, and says so until it is accepted', async () => {
    const w = await world(MODERATE);
    await publish(w, 'hello', 'mallory@evil.example');
    const [installed] = await installPackages(['hello'], {
      ...(await w.services()),
      registry: w.registry,
      noVerify: true,
      now: () => new Date('2026-12-01T10:00:00.000Z'),
    });
    assert.equal(installed?.verdict.status, 'unverified');
    const record = await readTrustRecord(join(w.project, '.aam', 'trust-record.yaml'));
    assert.equal(record.packages.hello?.installed_without_verification, '2026-12-01T10:00:00.000Z');
    assert.equal(record.packages.hello?.signature, null, 'nobody checked the signer, so none is recorded');
    assert.equal((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages.hello?.signature, undefined);

    // Moderate: a warning, with what the check finds now; learning the record does not clear it.
    const [report] = await verify(w);
    assert.equal(report?.verdict.status, 'unverified');
    assert.equal(report?.verdict.action, 'warn');
    assert.match(
      report!.verdict.message,
      /Installed without verification \(--no-verify, 2026-12-01T10:00:00\.000Z\); checked now: Signed by mallory@evil\.example/,
    );
    assert.equal(STATUS_LABEL[report!.verdict.status], 'installed without verification');
    assert.equal(tally([report!]).line, '1 package: 1 installed without verification');
    assert.equal(state(await verify(w)), 'hello:unverified/warn');

    // Strict: a failure, whatever the package is now.
    await w.policy(STRICT);
    assert.equal(state(await verify(w)), 'hello:unverified/fail');
  });

  it('a package installed unverified that verifies now is accepted, and is then verified', async () => {
    const w = await world(STRICT);
    await publish(w, 'hello', 'alice@example.com');
    await installPackages(['hello'], { ...(await w.services()), registry: w.registry, noVerify: true });
    const [before] = await verify(w);
    assert.equal(`${before?.verdict.status}/${before?.verdict.action}`, 'unverified/fail');
    assert.match(before!.verdict.hint ?? '', /It verifies now: accept it/);
    const [after] = await acceptChanges(['hello'], await w.services());
    assert.equal(`${after?.verdict.status}/${after?.verdict.action}`, 'verified/pass');
    const record = await readTrustRecord(join(w.project, '.aam', 'trust-record.yaml'));
    assert.equal(record.packages.hello?.installed_without_verification, undefined);
    assert.equal(
      record.packages.hello?.signature?.type === 'sigstore' && record.packages.hello.signature.identity,
      'alice@example.com',
    );
  });

  it('an unsigned package installed unverified is not accepted under Strict: it still fails as it is', async () => {
    const w = await world(STRICT);
    await publish(w, 'plain', undefined);
    await installPackages(['plain'], { ...(await w.services()), registry: w.registry, noVerify: true });
    await assert.rejects(
      acceptChanges(['plain'], await w.services()),
      (e) => isAamError(e) && /not signed/.test(e.message),
    );
  });

  it('still refuses an archive that is not the one published (the checksum is never skipped)', async () => {
    const w = await world(MODERATE);
    await publish(w, 'hello', 'alice@example.com');
    await appendFile(w.registry.archivePath('hello', '1.0.0'), Buffer.from([0]));
    await assert.rejects(
      installPackages(['hello'], { ...(await w.services()), registry: w.registry, noVerify: true }),
      (e) => isAamError(e) && e.code === 'INSTALL_REFUSED' && /Checksum/.test(e.message),
    );
  });

  it('is refused in Restricted Mode, before anything is fetched or written', async () => {
    const w = await world(MODERATE);
    await publish(w, 'hello', 'alice@example.com');
    const config = await loadConfig({ homeDir: w.home, projectDir: w.project, env: {}, restricted: true });
    await assert.rejects(
      installPackages(['hello'], { ...(await w.services(config)), registry: w.registry, noVerify: true }),
      (e) => isAamError(e) && /refused in Restricted Mode/.test(e.message),
    );
    assert.deepEqual((await readLockFile(join(w.project, '.aam', 'aam-lock.yaml'))).packages, {});
  });

  it('the CLI says so before installing, and --restricted refuses it with exit 2', async () => {
    const w = await world(MODERATE);
    await publish(w, 'hello', 'alice@example.com');
    const refused = await cli(['install', 'hello', '--no-verify', '--restricted'], { cwd: w.project, home: w.home });
    assert.equal(refused.code, 2);
    assert.doesNotMatch(refused.stderr, /Installing without verification \(--no-verify, not recommended\)/);
    const done = await cli(['install', 'hello', '--no-verify'], { cwd: w.project, home: w.home });
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stderr, /⚠ Installing without verification \(--no-verify, not recommended\)/);
    assert.match(done.stdout, /⚠ hello@1\.0\.0 {2}installed without verification/);
    const verified = await cli(['verify'], { cwd: w.project, home: w.home });
    assert.equal(verified.code, 0);
    assert.match(verified.stdout, /1 package: 1 installed without verification/);
    const text = await readFile(join(w.project, '.aam', 'trust-record.yaml'), 'utf8');
    assert.match(text, /installed_without_verification: '?\d{4}-/);
  });
});
