import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { packDirectory } from '../../src/core/package/pack.ts';
import type { RunningRegistry } from '../../src/server/serve.ts';
import { cli } from '../helpers/cli.ts';
import { startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface JsonReport {
  packages: {
    name: string;
    status: string;
    code: string;
    findings: { code: string }[];
    checks: { id: string; detail: string }[];
  }[];
}

/**
 * Registry attestations decide only where the policy says so, never make a
 * tampered package pass, and are checked with the registry's pinned key: an
 * attestation of other bytes is refused, and a registry that changes its key
 * is a failing finding.
 */
describe('registry attestations in the trust decision', () => {
  let registry: TestRegistry;
  let server: RunningRegistry;
  let root: string;
  let home: string;
  let project: string;
  let token: string;
  const writeConfig = (security: string) =>
    registry.writeConfig(`security:\n  require_signature: true\n  on_signature_failure: error\n${security}`);
  const publish = async (name: string, version: string) => {
    const dir = join(root, `${name.replace(/\W/g, '_')}-${version}`);
    await mkdir(join(dir, 'prompts'), { recursive: true });
    await writeFile(
      join(dir, 'aam.yaml'),
      `name: "${name}"\nversion: ${version}\ndescription: Plain\nartifacts:\n  prompts:\n    - name: p\n      path: prompts/p.md\n      description: P\n`,
    );
    await writeFile(join(dir, 'prompts', 'p.md'), `# ${name} ${version}\n`);
    await registry.client(token).publish((await packDirectory(dir)).bytes, []);
  };
  const verify = async () => {
    const run = await cli(['verify', '--json', '--no-cache'], { cwd: project, home });
    return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
  };

  before(async () => {
    registry = await startTestRegistry({ name: 'corp' });
    ({ server, root, home, project } = registry);
    token = await registry.token('alice', ['publish']);
    await publish('@acme/plain', '1.0.0');
    await publish('@acme/swapped', '1.0.0');
  });
  after(async () => registry?.close());

  it('an unsigned package is refused unless the policy trusts the registry attestations', async () => {
    await writeConfig('');
    const refused = await cli(['install', '@acme/plain', '--no-deploy'], { cwd: project, home });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not signed, and require_signature is true/);
    await writeConfig('  trust_registry_attestations: true\n  trusted_registries: [corp]\n');
    const installed = await cli(['install', '@acme/plain', '--no-deploy'], { cwd: project, home });
    assert.equal(installed.code, 0, installed.stderr);
    const { code, report } = await verify();
    assert.equal(code, 0);
    const pkg = report.packages[0]!;
    assert.deepEqual([pkg.status, pkg.code], ['verified', 'ATTESTED']);
    assert.match(
      pkg.checks.find((c) => c.id === 'attestation')!.detail,
      /^Attested by corp \(key [0-9a-f]{16}…\), published by alice$/,
    );
  });

  it('never makes a tampered package pass', async () => {
    const file = join(project, '.aam', 'packages', 'acme--plain', 'prompts', 'p.md');
    await appendFile(file, 'edited\n');
    const { code, report } = await verify();
    assert.equal(code, 1);
    assert.equal(report.packages[0]!.status, 'tampered');
    await writeFile(file, '# @acme/plain 1.0.0\n');
    assert.equal((await verify()).code, 0);
  });

  it('refuses an attestation of other bytes where one is required', async () => {
    // The registry hands out another version's attestation as this one's.
    await server.db.query(
      `UPDATE package_versions SET attestation = (SELECT attestation FROM package_versions v JOIN packages p ON p.id = v.package_id WHERE p.name = 'plain')
        WHERE package_id = (SELECT id FROM packages WHERE name = 'swapped')`,
    );
    await writeConfig(
      '  trust_registry_attestations: true\n  trusted_registries: [corp]\n  require_registry_attestation: true\n',
    );
    const refused = await cli(['install', '@acme/swapped', '--no-deploy'], { cwd: project, home });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /No attestation of a trusted registry: its attestation is not valid: it attests other bytes than this archive/,
    );
  });

  it('reports a registry that signs with another key than the one pinned', async () => {
    await registry.restart({ keyFile: join(root, 'other-key.pem') });
    const { code, report } = await verify();
    assert.equal(code, 1);
    assert.deepEqual(
      report.packages[0]!.findings.map((f) => f.code),
      ['REGISTRY_LOG'],
    );
    // The installed package is still judged by what was captured: its attestation, under the pinned key.
    assert.equal(report.packages[0]!.code, 'ATTESTED');
  });
});
