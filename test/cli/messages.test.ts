import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cliProcess } from '../helpers/cli-process.ts';
import { makeGpgHome } from '../helpers/gpg.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { tempDir } from '../helpers/temp.ts';

/**
 * What the CLI says, run as a user runs it (its own process, a real HTTP
 * registry or registry folder), for the outcomes that used to be said as
 * something else: a publish that waits for approval, an approval being
 * signed, a signer who is not an approver, a refusal for the registry
 * attestation alone, a registry that withdrew an installed version, and a
 * checksum mismatch.
 */
describe('messages that say what happened', () => {
  let registry: TestRegistry;
  let gpg: Awaited<ReturnType<typeof makeGpgHome>>;
  let lead: string;
  let alice: string;
  let bob: string;
  let reader: string;
  const run = (args: string[], token: string, env: Record<string, string> = {}) =>
    cliProcess(args, {
      cwd: registry.project,
      home: registry.home,
      env: { AAM_REGISTRY_TOKEN: token, GNUPGHOME: gpg.home, AAM_GPG_PASSPHRASE: '', ...env },
    });
  const packageDir = async (name: string, version: string) => {
    const dir = await tempDir('aam-msg-pkg-');
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: ${version}\ndescription: Test\nartifacts:\n  prompts:\n    - name: hello\n      path: prompts/hello.md\n      description: Says hello\n`,
    );
    await writeFile(join(dir, 'prompts', 'hello.md'), `# ${name} ${version}\n`);
    return dir;
  };

  before(async () => {
    gpg = await makeGpgHome([
      { uid: 'Lead <lead@example.com>', algo: 'ed25519' },
      { uid: 'Mallory <mallory@example.com>', algo: 'ed25519' },
    ]);
    registry = await startTestRegistry({
      name: 'corp',
      requireApproval: true,
      approvers: [gpg.fingerprints['Lead <lead@example.com>']!, 'release@example.com'],
    });
    await registry.writeConfig(`security:\n  gpg_home: ${gpg.home}\n`);
    lead = await registry.token('lead', ['publish']);
    alice = await registry.token('alice', ['publish']);
    bob = await registry.token('bob', ['publish']);
    reader = await registry.token('reader', ['read']);
  });
  after(async () => registry?.close());

  it('a publish to a registry that requires approval says it waits, and for whom', async () => {
    const published = await run(
      ['publish', await packageDir('@acme/tool', '1.0.0'), '--gpg-key', 'lead@example.com'],
      alice,
    );
    assert.equal(published.code, 0, published.stderr);
    assert.doesNotMatch(published.stdout, /✓ Published/);
    assert.match(
      published.stdout,
      /⏳ Published @acme\/tool@1\.0\.0 to corp, signed with GPG \(Lead <lead@example\.com>\); it is waiting for approval\./,
    );
    assert.match(
      published.stdout,
      new RegExp(
        `until one of the registry's approvers \\(${gpg.fingerprints['Lead <lead@example.com>']}, release@example\\.com\\) approves it`,
      ),
    );
    assert.match(published.stdout, /aam-trust approve @acme\/tool@1\.0\.0/);
  });

  it('approve says it signs an approval, then what it came to', async () => {
    const approved = await run(['approve', '@acme/tool@1.0.0', '--gpg-key', 'lead@example.com'], lead);
    assert.equal(approved.code, 0, approved.stderr);
    assert.doesNotMatch(approved.stdout, /Signing package/);
    assert.match(approved.stdout, /^Signing approval with GPG\.\.\.$/m);
    assert.match(approved.stdout, /→ Approval signed successfully/);
    assert.match(approved.stdout, /✓ Approved @acme\/tool@1\.0\.0 on corp, signed by Lead <lead@example\.com>/);
  });

  it('a signer who is not an approver is told about approvers, not token scopes', async () => {
    await registry.client(alice).publish(await packPackage('@acme/tool', '1.1.0'), []);
    const refused = await run(['approve', '@acme/tool@1.1.0', '--gpg-key', 'mallory@example.com'], alice);
    assert.equal(refused.code, 1);
    assert.doesNotMatch(refused.stderr, /scope/);
    assert.match(
      refused.stderr,
      /Registry "corp" refused the approval of @acme\/tool@1\.1\.0: it is signed by Mallory <mallory@example\.com>.* who is not one of the registry's approvers/,
    );
    assert.match(refused.stderr, /Its approvers: [0-9A-F]{40}, release@example\.com\./);
    assert.match(refused.stderr, /Ask one of its approvers to approve @acme\/tool@1\.1\.0/);
    assert.match(refused.stderr, /\(APPROVAL_REFUSED_NOT_APPROVER\)/);
  });

  it('a user who is not an owner is told so; a token without the scope is told which', async () => {
    const notOwner = await run(['publish', await packageDir('@acme/tool', '1.2.0')], bob);
    assert.equal(notOwner.code, 1);
    assert.doesNotMatch(notOwner.stderr, /scope/);
    assert.match(notOwner.stderr, /Registry "corp" refused: bob is not an owner of @acme\/tool\./);
    assert.match(notOwner.stderr, /aam-trust owners @acme\/tool/);
    const readOnly = await run(['publish', await packageDir('@acme/other', '1.0.0')], reader);
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.stderr, /the API token has no "publish" scope/);
    assert.match(readOnly.stderr, /aam-trust token create --scope publish --registry corp/);
  });

  it('an install of a version waiting for approval names the reason', async () => {
    const pending = await run(['install', '@acme/tool@1.1.0', '--no-deploy'], alice);
    assert.equal(pending.code, 1);
    assert.match(
      pending.stderr,
      /@acme\/tool@1\.1\.0 is waiting for approval on registry "corp": it cannot be installed yet\./,
    );
    assert.match(pending.stderr, /\(VERSION_PENDING_APPROVAL\)/);
    // …and who may approve it, as the registry says.
    assert.match(
      pending.stderr,
      new RegExp(
        `Ask one of the registry's approvers \\(${gpg.fingerprints['Lead <lead@example.com>']}, release@example\\.com\\) to review it \\(aam-trust approve @acme/tool@1\\.1\\.0\\)`,
      ),
    );
  });

  it('a package refused only for its registry attestation is not called an invalid signature', async () => {
    // Signed by a key the policy trusts: only require_registry_attestation can refuse it.
    await registry.writeConfig(
      `security:\n  gpg_home: ${gpg.home}\n  trusted_keys: ["${gpg.fingerprints['Lead <lead@example.com>']}"]\n  require_registry_attestation: true\n`,
    );
    const refused = await run(['install', '@acme/tool@1.0.0', '--no-deploy'], alice);
    assert.equal(refused.code, 1);
    assert.doesNotMatch(refused.stderr + refused.stdout, /invalid signature/i);
    assert.match(refused.stderr, /No attestation of a trusted registry/);
    assert.match(refused.stderr, /✗ @acme\/tool@1\.0\.0: ATTESTATION_REQUIRED/);
    // Installed without that requirement, then verified with it: the status says what is missing.
    await registry.writeConfig(
      `security:\n  gpg_home: ${gpg.home}\n  trusted_keys: ["${gpg.fingerprints['Lead <lead@example.com>']}"]\n`,
    );
    assert.equal((await run(['install', '@acme/tool@1.0.0', '--no-deploy'], alice)).code, 0);
    await registry.writeConfig(
      `security:\n  gpg_home: ${gpg.home}\n  trusted_keys: ["${gpg.fingerprints['Lead <lead@example.com>']}"]\n  require_registry_attestation: true\n`,
    );
    const verified = await run(['verify', '--no-cache'], alice);
    assert.equal(verified.code, 1);
    assert.doesNotMatch(verified.stdout, /invalid signature/);
    assert.match(verified.stdout, /✗ @acme\/tool@1\.0\.0 {2}no trusted attestation — /);
    await registry.writeConfig(`security:\n  gpg_home: ${gpg.home}\n`);
  });
});

describe('messages of a file registry', () => {
  let root: string;
  let home: string;
  let project: string;
  let registryDir: string;
  const run = (args: string[]) => cliProcess(args, { cwd: project, home });
  const published: Record<string, { stdout: string; stderr: string; code: number }> = {};

  before(async () => {
    root = await tempDir('aam-msg-file-');
    home = join(root, 'home');
    project = join(root, 'project');
    registryDir = join(root, 'registry');
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    await writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: file://${registryDir}\n    type: local\n    default: true\n`,
    );
    assert.equal((await run(['registry', 'init', registryDir, '--name', 'team'])).code, 0);
    for (const version of ['1.0.0', '1.1.0']) {
      const dir = join(root, `hello-${version}`);
      await mkdir(join(dir, 'prompts'), { recursive: true });
      await writeFile(
        join(dir, 'aam.yaml'),
        `name: hello\nversion: ${version}\ndescription: Test\nartifacts:\n  prompts:\n    - name: hello\n      path: prompts/hello.md\n      description: Says hello\n`,
      );
      await writeFile(join(dir, 'prompts', 'hello.md'), `# hello ${version}\n`);
      published[version] = await run(['publish', dir]);
      assert.equal(published[version].code, 0, published[version].stderr);
    }
  });

  it('a publish says where to and how it was signed', () => {
    assert.match(published['1.0.0']!.stdout, /^✓ Published hello@1\.0\.0 to team, unsigned\.$/m);
  });

  it('a checksum mismatch names two different digests: what was published and what was served', async () => {
    await appendFile(join(registryDir, 'packages', 'hello', 'versions', '1.1.0.aam'), Buffer.from([0]));
    const refused = await run(['install', 'hello@1.1.0', '--no-deploy']);
    assert.equal(refused.code, 1);
    const expected = /Expected: (sha256:[0-9a-f]{64})/.exec(refused.stderr)?.[1];
    const got = /Got: +(sha256:[0-9a-f]{64})/.exec(refused.stderr)?.[1];
    assert.ok(expected && got, refused.stderr);
    assert.notEqual(expected, got);
  });

  it('one digest spelled two ways is not a mismatch, nor printed as one', async () => {
    assert.equal((await run(['install', 'hello@1.0.0', '--no-deploy'])).code, 0);
    // The lock file's checksum, as another tool or a hand might write it: upper case, a space after it.
    const lockPath = join(project, '.aam', 'aam-lock.yaml');
    const lock = await readFile(lockPath, 'utf8');
    const digest = /checksum: (sha256:[0-9a-f]{64})/.exec(lock)![1]!;
    await writeFile(lockPath, lock.replace(digest, `"${digest.toUpperCase()} "`));
    const verified = await run(['verify']);
    assert.equal(verified.code, 0, verified.stdout);
    assert.doesNotMatch(verified.stdout, /serves other bytes|expected:/);
    // A checksum that is no digest at all is said to be that, not a registry that changed.
    await writeFile(lockPath, lock.replace(digest, digest.slice(0, 20)));
    const broken = await run(['verify']);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /the lock file's checksum "sha256:[0-9a-f]{13}" is not a SHA-256 digest/);
    assert.doesNotMatch(broken.stdout, /registry changed|serves other bytes/i);
    await writeFile(lockPath, lock);
  });

  it('a registry that no longer has the installed version fails the run: ✗, not ⚠', async () => {
    assert.equal((await run(['install', 'hello@1.0.0', '--no-deploy'])).code, 0);
    await rm(join(registryDir, 'packages', 'hello', 'versions', '1.0.0.aam'));
    const verified = await run(['verify']);
    assert.equal(verified.code, 1, verified.stdout);
    assert.match(
      verified.stdout,
      /✗ The registry changed a published version: "team" no longer serves the archive of hello@1\.0\.0/,
    );
    assert.doesNotMatch(verified.stdout, /⚠/);
  });
});
