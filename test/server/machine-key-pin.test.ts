import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { recordPathOf } from '../../src/core/record/trust-record.ts';
import { HttpRegistry } from '../../src/core/registry/http-registry.ts';
import { pinnedHere, readRegistryPins } from '../../src/core/verify/evidence/registry-pins.ts';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/**
 * This machine pinned registry "corp"'s key when a project installed from it. The registry
 * then signs with another key. The trust record is the project's: a new project has no entry
 * for the registry, and a pull request can re-pin it. Neither may take the new key where the
 * machine pinned another, unless the change is accepted — and only an accepted change adds
 * the key to the machine's pins.
 */
describe("this machine's pin of a registry key, in a project that has no record of it", () => {
  let registry: TestRegistry;
  const pins = async () => pinnedHere(await readRegistryPins(join(registry.home, '.aam', 'cache')), registry.url);
  const project = async (name: string) => {
    const dir = join(registry.root, name);
    await mkdir(join(dir, '.aam'), { recursive: true });
    return dir;
  };
  const run = (dir: string, args: string[]) => cli(args, { cwd: dir, home: registry.home });
  let original: readonly string[];

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    await registry.writeConfig();
    const token = await registry.token('alice', ['publish']);
    await registry.client(token).publish(await packPackage('@acme/tool', '1.0.0'), []);
    await registry.client(token).publish(await packPackage('@acme/other', '1.0.0'), []);
    const first = await registry.run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(first.code, 0, first.stderr);
    original = await pins();
    assert.equal(original.length, 1);
    await registry.restart({ keyFile: join(registry.root, 'new-key.pem') });
  });
  after(async () => registry?.close());

  it('install in a new project refuses the key the machine did not pin, and pins nothing', async () => {
    const dir = await project('second');
    const install = await run(dir, ['install', '@acme/other', '--no-deploy']);
    assert.equal(install.code, 1, install.stdout);
    assert.match(
      install.stderr,
      /Registry "corp" cannot be trusted: registry "corp" signs with key [0-9a-f]{16}…, not [0-9a-f]{16}… \(pinned on this machine for http:\/\/127\.0\.0\.1:\d+\)/,
    );
    assert.match(install.stderr, /--accept-signer-change/);
    assert.deepEqual(await pins(), original);
  });

  it('verify, audit and info in such a project fail the log check the same way', async () => {
    const dir = await project('copied');
    // The first project's lock file and packages without its trust record: a clone where it was never committed.
    await cp(join(registry.project, '.aam', 'aam-lock.yaml'), join(dir, '.aam', 'aam-lock.yaml'));
    await cp(join(registry.project, '.aam', 'packages'), join(dir, '.aam', 'packages'), { recursive: true });
    const verify = await run(dir, ['verify', '--no-cache', '--json']);
    assert.equal(verify.code, 1, verify.stdout);
    const [pkg] = (JSON.parse(verify.stdout) as { packages: { findings: { code: string; message: string }[] }[] })
      .packages;
    assert.match(
      pkg!.findings.map((f) => `${f.code} ${f.message}`).join('\n'),
      /REGISTRY_LOG registry "corp" signs with key [0-9a-f]{16}…, not [0-9a-f]{16}… \(pinned on this machine/,
    );
    const audit = await run(dir, ['audit', '@acme/tool']);
    assert.equal(audit.code, 1, audit.stdout);
    assert.match(audit.stdout + audit.stderr, /pinned on this machine/);
    const info = await run(dir, ['info', '@acme/other', '--audit-log']);
    assert.equal(info.code, 1, info.stdout);
    assert.match(info.stdout, /pinned on this machine/);
    assert.deepEqual(await pins(), original);
  });

  it('install in a project whose record a pull request re-pinned to the new key refuses it too', async () => {
    const dir = await project('re-pinned');
    const record = parse(await readFile(recordPathOf(join(registry.project, '.aam')), 'utf8'));
    const served = await new HttpRegistry('corp', registry.url).identity();
    record.registries.corp = { ...record.registries.corp, key_id: served.key_id, public_key: served.public_key };
    await writeFile(recordPathOf(join(dir, '.aam')), stringify(record));
    const install = await run(dir, ['install', '@acme/other', '--no-deploy']);
    assert.equal(install.code, 1, install.stdout);
    assert.match(install.stderr, /not [0-9a-f]{16}… \(pinned on this machine/);
    assert.deepEqual(await pins(), original);
  });

  it('with --accept-signer-change the new key is taken, and pinned beside the old one', async () => {
    const dir = await project('accepting');
    const install = await run(dir, ['install', '@acme/other', '--no-deploy', '--accept-signer-change']);
    assert.equal(install.code, 0, install.stderr);
    const now = await pins();
    assert.equal(now.length, 2);
    assert.equal(now[0], original[0]);
    // Now pinned here, the new key is what another new project takes without a flag.
    const next = await run(await project('after-accepting'), ['install', '@acme/other', '--no-deploy']);
    assert.equal(next.code, 0, next.stderr);
  });
});
