import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { recordPathOf } from '../../src/core/record/trust-record.ts';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface JsonReport {
  packages: { name: string; status: string; code: string; message: string }[];
}

/**
 * The trust record is the project's: a pull request can re-pin registry "team" whole to untrusted
 * registry "community" (its name, key id and key together), so that community's attestation of its
 * own package reads as team's. With no key_id in the global config, this machine's own pin — taken
 * when it installed from team — is what still tells the keys apart, offline too.
 */
describe("this machine's pin of a registry key", () => {
  let team: TestRegistry;
  let community: TestRegistry;
  let home: string;
  let victim: string;
  const MAXIMUM =
    'security:\n  require_signature: true\n  on_signature_failure: error\n  trust_registry_attestations: true\n  trusted_registries: [team]\n  require_registry_attestation: true\n';
  const globalConfig = (security: string) =>
    writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: ${team.url}\n    type: http\n  - name: community\n    url: ${community.url}\n    type: http\n${security}`,
    );
  const installIn = async (project: string, pkg: string, registry: string) => {
    await mkdir(join(project, '.aam'), { recursive: true });
    const run = await cli(['install', pkg, '--registry', registry, '--no-deploy'], { cwd: project, home });
    assert.equal(run.code, 0, run.stderr);
  };

  before(async () => {
    team = await startTestRegistry({ name: 'team' });
    community = await startTestRegistry({ name: 'community' });
    ({ home, project: victim } = team);
    await team.client(await team.token('alice', ['publish'])).publish(await packPackage('@acme/good', '1.0.0'), []);
    await community
      .client(await community.token('mallory', ['publish']))
      .publish(await packPackage('@evil/payload', '1.0.0'), []);
    await globalConfig('');
    // Earlier on this machine: a project installed from team (its key pinned here), another from community.
    await installIn(join(team.root, 'first-project'), '@acme/good', 'team');
    const other = join(community.root, 'other-project');
    await installIn(other, '@evil/payload', 'community');
    await globalConfig(MAXIMUM);
    // The pull request: community's package, locked and recorded as team's, team re-pinned to community's key.
    await cp(join(other, '.aam', 'packages'), join(victim, '.aam', 'packages'), { recursive: true });
    const lock = parse(await readFile(join(other, '.aam', 'aam-lock.yaml'), 'utf8'));
    lock.packages['@evil/payload'].source = 'team';
    await writeFile(join(victim, '.aam', 'aam-lock.yaml'), stringify(lock));
    const record = parse(await readFile(join(other, '.aam', 'trust-record.yaml'), 'utf8'));
    record.packages['@evil/payload'].source = 'team';
    record.registries = { team: record.registries.community };
    await writeFile(recordPathOf(join(victim, '.aam')), stringify(record));
  });
  after(async () => {
    await team?.close();
    await community?.close();
  });

  for (const flags of [['--offline'], ['--offline', '--restricted']])
    it(`stands over a record that re-pins the registry whole: verify ${flags.join(' ')} finds no trusted attestation`, async () => {
      const run = await cli(['verify', '--no-cache', '--json', ...flags], { cwd: victim, home });
      const pkg = (JSON.parse(run.stdout) as JsonReport).packages[0]!;
      assert.deepEqual([run.code, pkg.status, pkg.code], [1, 'unattested', 'ATTESTATION_REQUIRED'], pkg.message);
      assert.match(
        pkg.message,
        /trust record pins key [0-9a-f]{16}… for registry "team" .*but this machine pinned [0-9a-f]{16}…/,
      );
    });
});
