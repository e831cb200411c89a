import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { lockFileText, readLockFile } from '../../src/core/lockfile/lockfile.ts';
import { readTrustRecord, trustRecordText } from '../../src/core/record/trust-record.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';
import { cli } from '../helpers/cli.ts';

/**
 * aam stores `@scope/name` as `scope--name` (SPEC §1), and a name may hold
 * `--` itself: `@acme/tool` and `acme--tool` are one folder,
 * `.aam/packages/acme--tool/`. Both are on the registry here (the operator
 * may publish them; the registry refuses them to anyone else).
 */
describe('two packages with one installed folder (@acme/tool, acme--tool)', () => {
  let registry: TestRegistry;
  const folder = () => join(registry.project, '.aam', 'packages', 'acme--tool');
  const prompt = () => readFile(join(folder(), 'prompts', 'hello.md'), 'utf8');
  const locked = async (project = registry.project) =>
    Object.keys((await readLockFile(join(project, '.aam', 'aam-lock.yaml'))).packages).sort();
  const fresh = async () => {
    await rm(join(registry.project, '.aam'), { recursive: true, force: true });
    await mkdir(join(registry.project, '.aam'), { recursive: true });
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'team' });
    await registry.writeConfig();
    const operator = await registry.token('op', ['operator']);
    const publish = async (bytes: Buffer) => {
      const form = new FormData();
      form.append('archive', new Blob([new Uint8Array(bytes)]), 'a.aam');
      const response = await fetch(`${registry.url}/api/v1/packages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}` },
        body: form,
      });
      assert.equal(response.status, 201, await response.text());
    };
    await publish(await packPackage('@acme/tool', '1.0.0', { body: 'ALICE\n' }));
    await publish(await packPackage('acme--tool', '1.0.0', { body: 'BOB\n' }));
    await publish(
      await packPackage('helper', '1.0.0', { manifest: 'dependencies:\n  "acme--tool": "1.0.0"\n', body: 'HELPER\n' }),
    );
  });
  after(async () => registry?.close());

  it('install refuses a package whose folder an installed package has, naming both and what to do', async () => {
    await fresh();
    const first = await registry.run(['install', '@acme/tool', '--no-deploy']);
    assert.equal(first.code, 0, first.stderr);
    const second = await registry.run(['install', 'acme--tool', '--no-deploy']);
    assert.notEqual(second.code, 0, 'installing acme--tool over @acme/tool succeeded');
    assert.match(
      second.stderr,
      /acme--tool would be installed in \.aam\/packages\/acme--tool\/, the folder of @acme\/tool/,
    );
    assert.match(second.stderr, /aam uninstall @acme\/tool/);
    assert.equal(await prompt(), 'ALICE\n', "@acme/tool's files were overwritten");
    assert.deepEqual(await locked(), ['@acme/tool']);
  });

  it('also when the other package comes as a dependency', async () => {
    await fresh();
    assert.equal((await registry.run(['install', '@acme/tool', '--no-deploy'])).code, 0);
    const refused = await registry.run(['install', 'helper', '--no-deploy']);
    assert.notEqual(refused.code, 0, 'a dependency named acme--tool was installed over @acme/tool');
    assert.match(refused.stderr, /acme--tool would be installed in .*the folder of @acme\/tool/);
    assert.equal(await prompt(), 'ALICE\n');
    assert.deepEqual(await locked(), ['@acme/tool'], 'nothing of the refused install was written');
  });

  it('and when both are asked for at once: nothing is installed', async () => {
    await fresh();
    const refused = await registry.run(['install', '@acme/tool', 'acme--tool', '--no-deploy']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /@acme\/tool and acme--tool would both be installed in \.aam\/packages\/acme--tool\//);
    await assert.rejects(readFile(join(registry.project, '.aam', 'aam-lock.yaml')), { code: 'ENOENT' });
  });

  it('verify fails both packages of a lock file that share a folder, naming both, not only the one overwritten', async () => {
    // What `aam install acme--tool` leaves after `aam-trust install @acme/tool` (aam does not check), or a lock
    // file merged from two branches: both entries, and the folder holding acme--tool's files.
    await fresh();
    assert.equal((await registry.run(['install', '@acme/tool', '--no-deploy'])).code, 0);
    const other = join(registry.root, 'other');
    await mkdir(join(other, '.aam'), { recursive: true });
    const elsewhere = await cli(['install', 'acme--tool', '--no-deploy'], { cwd: other, home: registry.home });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    const lockPath = (project: string) => join(project, '.aam', 'aam-lock.yaml');
    const recordPath = (project: string) => join(project, '.aam', 'trust-record.yaml');
    const lock = await readLockFile(lockPath(registry.project));
    lock.packages['acme--tool'] = (await readLockFile(lockPath(other))).packages['acme--tool']!;
    await writeFile(lockPath(registry.project), lockFileText(lock));
    const record = await readTrustRecord(recordPath(registry.project));
    record.packages['acme--tool'] = (await readTrustRecord(recordPath(other))).packages['acme--tool']!;
    await writeFile(recordPath(registry.project), trustRecordText(record));
    await rm(folder(), { recursive: true });
    await cp(join(other, '.aam', 'packages', 'acme--tool'), folder(), { recursive: true });
    assert.equal(await prompt(), 'BOB\n');

    const verified = await registry.run(['verify', '--json']);
    assert.equal(verified.code, 1, verified.stderr);
    const { packages } = JSON.parse(verified.stdout) as {
      packages: { name: string; outcome: string; findings: { code: string; action: string; message: string }[] }[];
    };
    for (const name of ['@acme/tool', 'acme--tool']) {
      const report = packages.find((p) => p.name === name)!;
      const shared = report.findings.find((f) => f.code === 'FOLDER_SHARED');
      assert.equal(shared?.action, 'fail', `${name}: ${JSON.stringify(report.findings)}`);
      assert.match(shared.message, /@acme\/tool and acme--tool are both installed in \.aam\/packages\/acme--tool\//);
      assert.equal(report.outcome, 'fail');
    }
  });
});
