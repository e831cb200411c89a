import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mergeConfigFiles } from '../../../src/core/config/load.ts';
import { workspacePaths } from '../../../src/core/lockfile/paths.ts';
import type { LockedPackage } from '../../../src/core/lockfile/lockfile.ts';
import { decide } from '../../../src/core/policy/decision.ts';
import { attest, registryKeyOf } from '../../../src/core/registry/attestation.ts';
import { readTrustRecord, trustRecordText, writeTrustRecord } from '../../../src/core/record/trust-record.ts';
import type { RecordedRegistry } from '../../../src/core/record/trust-record.ts';
import { EvidenceCache } from '../../../src/core/verify/evidence/evidence-cache.ts';
import { httpRegistryExtras } from '../../../src/core/verify/registry-facts.ts';
import { tempDir } from '../../helpers/temp.ts';

const team = registryKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const evilPrivate = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const evil = registryKeyOf(evilPrivate);
const NAME = '@evil/payload';
const VERSION = '1.0.0';
const SHA = createHash('sha256').update('archive bytes').digest('hex');
const MAXIMUM = {
  require_signature: true,
  on_signature_failure: 'error',
  trust_registry_attestations: true,
  trusted_registries: ['team'],
  require_registry_attestation: true,
};

const registryEntry = (key: { key_id: string; public_key: string }): RecordedRegistry => ({
  name: 'team',
  key_id: key.key_id,
  public_key: key.public_key,
  audit_size: 0,
  audit_head: '0'.repeat(64),
  recorded_at: '2026-01-01T00:00:00Z',
});

/**
 * A project whose trust record a pull request edited: the package's captured
 * attestation is one made with another key than team's, and the record's
 * `registries.team` carries `pinned` (its key_id and public_key as given).
 * Verified offline, where nothing but the record and the config speaks for the key.
 */
async function verifyOffline(options: {
  pinned: { key_id: string; public_key: string };
  capturedKeyId: string;
  configuredKeyId?: string;
  restricted?: boolean;
}) {
  const root = await tempDir('aam-key-pin-');
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(join(project, '.aam'), { recursive: true });
  const cache = new EvidenceCache(join(home, '.aam', 'cache'));
  const predicate = {
    registry: 'team',
    package: NAME,
    version: VERSION,
    publisher: { user: 'mallory' },
    published_at: '2026-01-01T00:00:00Z',
  };
  const digest = await cache.put(Buffer.from(JSON.stringify(attest(SHA, predicate, evilPrivate))));
  await writeTrustRecord(join(project, '.aam', 'trust-record.yaml'), {
    record_version: 1,
    packages: {
      [NAME]: {
        version: VERSION,
        checksum: `sha256:${SHA}`,
        source: 'team',
        signature: null,
        attestation: { digest, key_id: options.capturedKeyId },
        recorded_at: '2026-01-01T00:00:00Z',
      },
    },
    registries: { team: registryEntry(options.pinned) },
  });
  const registry = { name: 'team', url: 'https://team.invalid', type: 'http', key_id: options.configuredKeyId };
  const config = mergeConfigFiles(
    [
      {
        layer: 'global',
        path: join(home, '.aam', 'config.yaml'),
        exists: true,
        diagnostics: [],
        value: { registries: [registry], security: MAXIMUM },
      },
    ],
    options.restricted ?? false,
    home,
  );
  const locked = { version: VERSION, source: 'team', checksum: `sha256:${SHA}` } as LockedPackage;
  const extras = await httpRegistryExtras(
    [NAME],
    { [NAME]: locked },
    { workspace: workspacePaths(project), config, cache, homeDir: home },
    new Map(),
    true,
  );
  const fact = extras.get(NAME)!.attestation!;
  const verdict = decide(
    { name: NAME, integrity: { ok: true }, signature: { state: 'none' }, attestation: fact },
    config.policyContext(),
  );
  return { fact, verdict };
}

describe('the registry key a trust record pins', () => {
  it('is read only when its public_key is the key its key_id names', async () => {
    const file = join(await tempDir('aam-key-pin-record-'), 'trust-record.yaml');
    await writeTrustRecord(file, {
      record_version: 1,
      packages: {},
      registries: {
        team: registryEntry(team),
        swapped: registryEntry({ key_id: team.key_id, public_key: evil.public_key }),
        garbage: registryEntry({ key_id: team.key_id, public_key: '-----BEGIN PUBLIC KEY-----\nAAAA\n' }),
      },
    });
    assert.match(await readFile(file, 'utf8'), /swapped:/);
    const record = await readTrustRecord(file);
    assert.deepEqual(Object.keys(record.registries ?? {}), ['team']);
    assert.equal(record.registries!.team!.public_key, team.public_key);
    // What is read is what is written back: the swapped entry does not survive a rewrite either.
    assert.doesNotMatch(trustRecordText(record), /swapped:|garbage:/);
  });

  for (const restricted of [false, true])
    it(`when a pull request swaps its public_key for another registry's, the attestation made with that key counts for nothing (restricted: ${restricted})`, async () => {
      const { fact, verdict } = await verifyOffline({
        pinned: { key_id: team.key_id, public_key: evil.public_key },
        capturedKeyId: team.key_id,
        configuredKeyId: team.key_id,
        restricted,
      });
      assert.equal(fact.state, 'invalid', JSON.stringify(fact));
      assert.match(fact.state === 'invalid' ? fact.reason : '', /public_key there is not the key its key_id names/);
      assert.deepEqual([verdict.status, verdict.action, verdict.code], ['unattested', 'fail', 'ATTESTATION_REQUIRED']);
    });

  it('without a key_id in the config, a swapped public_key still counts for nothing', async () => {
    const { fact, verdict } = await verifyOffline({
      pinned: { key_id: team.key_id, public_key: evil.public_key },
      capturedKeyId: team.key_id,
    });
    assert.equal(fact.state, 'invalid', JSON.stringify(fact));
    assert.equal(verdict.code, 'ATTESTATION_REQUIRED');
  });

  it('a record re-pinned whole to another key does not outweigh the key_id the user configured', async () => {
    const { fact, verdict } = await verifyOffline({
      pinned: evil,
      capturedKeyId: evil.key_id,
      configuredKeyId: team.key_id,
    });
    assert.equal(fact.state, 'invalid', JSON.stringify(fact));
    assert.match(
      fact.state === 'invalid' ? fact.reason : '',
      new RegExp(
        `${evil.key_id.slice(0, 16)}… recorded for registry "team" is not the key ${team.key_id.slice(0, 16)}… configured`,
      ),
    );
    assert.equal(verdict.code, 'ATTESTATION_REQUIRED');
  });

  it('control: the key the record pins, matching its id and the configured one, checks the attestation', async () => {
    const { fact, verdict } = await verifyOffline({
      pinned: evil,
      capturedKeyId: evil.key_id,
      configuredKeyId: evil.key_id,
    });
    assert.equal(fact.state, 'valid', JSON.stringify(fact));
    assert.equal(fact.state === 'valid' ? fact.keyId : '', evil.key_id);
    assert.deepEqual([verdict.action, verdict.code], ['pass', 'ATTESTED']);
  });
});
