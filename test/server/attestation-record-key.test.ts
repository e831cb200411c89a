import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkRegistryLog } from '../../src/core/registry/registry-check.ts';
import { readTrustRecord, recordPathOf } from '../../src/core/record/trust-record.ts';
import { cli } from '../helpers/cli.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

interface JsonReport {
  packages: { name: string; status: string; code: string; message: string; findings: { code: string }[] }[];
}

/**
 * The trust record is project input: a pull request can point its
 * `registries.team` at another registry's public key. An attestation that
 * untrusted registry "community" made of its own package must then still not
 * count as trusted registry "team"'s, offline, in Restricted Mode, online or
 * with team unreachable: the key counts only as the key its key_id names, and
 * that id must be the one the user configured.
 */
describe('a registry key swapped in the trust record', () => {
  let team: TestRegistry;
  let community: TestRegistry;
  let home: string;
  let victim: string;
  let other: string;
  let teamKey: { key_id: string; public_key: string; name: string };
  let communityKey: { key_id: string; public_key: string; name: string };
  const MAXIMUM =
    'security:\n  require_signature: true\n  on_signature_failure: error\n  trust_registry_attestations: true\n  trusted_registries: [team]\n  require_registry_attestation: true\n';
  const globalConfig = (security: string) =>
    writeFile(
      join(home, '.aam', 'config.yaml'),
      `registries:\n  - name: team\n    url: ${team.url}\n    type: http\n    key_id: ${teamKey.key_id}\n  - name: community\n    url: ${community.url}\n    type: http\n${security}`,
    );

  /** The pull request: the package installed from community, its lock and record entries renamed to team, and team's key swapped. */
  const pullRequest = async (key: { public_key: string; name: string }) => {
    await cp(join(other, '.aam', 'packages'), join(victim, '.aam', 'packages'), { recursive: true });
    const lock = parse(await readFile(join(other, '.aam', 'aam-lock.yaml'), 'utf8'));
    lock.packages['@evil/payload'].source = 'team';
    await writeFile(join(victim, '.aam', 'aam-lock.yaml'), stringify(lock));
    const record = parse(await readFile(join(other, '.aam', 'trust-record.yaml'), 'utf8'));
    record.packages['@evil/payload'].source = 'team';
    record.packages['@evil/payload'].attestation.key_id = teamKey.key_id;
    record.registries = {
      team: {
        name: key.name,
        key_id: teamKey.key_id,
        public_key: key.public_key,
        audit_size: 0,
        audit_head: '0'.repeat(64),
        recorded_at: '2026-01-01T00:00:00Z',
      },
    };
    await writeFile(recordPathOf(join(victim, '.aam')), stringify(record));
  };
  const verify = async (flags: string[]) => {
    const run = await cli(['verify', '--no-cache', '--json', ...flags], { cwd: victim, home });
    return { code: run.code, pkg: (JSON.parse(run.stdout) as JsonReport).packages[0]! };
  };

  before(async () => {
    team = await startTestRegistry({ name: 'team' });
    community = await startTestRegistry({ name: 'community' });
    ({ home, project: victim } = team);
    other = join(community.root, 'other-project');
    teamKey = await team.client().identity();
    communityKey = await community.client().identity();
    await community
      .client(await community.token('mallory', ['publish']))
      .publish(await packPackage('@evil/payload', '1.0.0'), []);
    // Earlier, in another project and under the default policy, the user installed it from
    // community: its archive and community's genuine attestation are in the evidence cache.
    await globalConfig('');
    await mkdir(join(other, '.aam'), { recursive: true });
    const installed = await cli(['install', '@evil/payload', '--registry', 'community', '--no-deploy'], {
      cwd: other,
      home,
    });
    assert.equal(installed.code, 0, installed.stderr);
    await globalConfig(MAXIMUM);
  });
  after(async () => {
    await team?.close();
    await community?.close();
  });

  it("control: with team's own key in the record, community's attestation is not signed by it", async () => {
    await pullRequest(teamKey);
    const { code, pkg } = await verify(['--offline']);
    assert.deepEqual([code, pkg.status, pkg.code], [1, 'unattested', 'ATTESTATION_REQUIRED']);
    assert.match(pkg.message, /not signed by the registry key/);
  });

  for (const flags of [['--offline'], ['--offline', '--restricted']])
    it(`with community's key in its place, verify ${flags.join(' ')} finds no trusted attestation`, async () => {
      await pullRequest(communityKey);
      const { code, pkg } = await verify(flags);
      assert.deepEqual([code, pkg.status, pkg.code], [1, 'unattested', 'ATTESTATION_REQUIRED'], JSON.stringify(pkg));
      assert.match(pkg.message, /registry "team".*public_key there is not the key its key_id names/);
    });

  it("online, the swapped key counts for nothing, and the record is given team's served key again", async () => {
    await pullRequest(communityKey);
    const { code, pkg } = await verify([]);
    assert.deepEqual([code, pkg.status, pkg.code], [1, 'unattested', 'ATTESTATION_REQUIRED'], JSON.stringify(pkg));
    const record = await readTrustRecord(recordPathOf(join(victim, '.aam')));
    assert.equal(record.registries?.team?.public_key, teamKey.public_key);
    assert.equal(record.registries?.team?.key_id, teamKey.key_id);
  });

  it("the log check refuses a record whose public_key is not the key its key_id names, even the served key's id", async () => {
    const swapped = {
      name: 'team',
      key_id: teamKey.key_id,
      public_key: communityKey.public_key,
      audit_size: 0,
      audit_head: '0'.repeat(64),
      recorded_at: '',
    };
    const check = await checkRegistryLog(team.client(), swapped, teamKey.key_id);
    assert.equal(check.ok, false);
    assert.match(check.reason ?? '', /public key recorded for registry "team" is not the key [0-9a-f]{16}…/);
    assert.equal(check.next, undefined);
  });

  it('a recorded key written otherwise than the registry serves it is rewritten as served', async () => {
    // A verify online records team's current head; then only the key's text differs (same key, no final newline).
    await pullRequest(teamKey);
    await verify([]);
    const file = recordPathOf(join(victim, '.aam'));
    const record = parse(await readFile(file, 'utf8'));
    assert.equal(record.registries.team.public_key, teamKey.public_key);
    record.registries.team.public_key = teamKey.public_key.trimEnd();
    await writeFile(file, stringify(record));
    await verify([]);
    assert.equal((await readTrustRecord(file)).registries?.team?.public_key, teamKey.public_key);
  });

  it('with team unreachable, the swapped key still counts for nothing', async () => {
    await pullRequest(communityKey);
    await team.close();
    const { code, pkg } = await verify([]);
    assert.deepEqual([code, pkg.status, pkg.code], [1, 'unattested', 'ATTESTATION_REQUIRED'], JSON.stringify(pkg));
  });
});
