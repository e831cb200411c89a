import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import {
  assertUsablePolicy,
  blockingDiagnostics,
  loadConfig,
  mergeConfigFiles,
} from '../../../src/core/config/load.ts';
import type { LoadedConfig } from '../../../src/core/config/load.ts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir } from '../../helpers/temp.ts';
import { parseTrustRecordText } from '../../../src/core/record/trust-record.ts';
import { parseLockText } from '../../../src/core/lockfile/lockfile.ts';

const GLOBAL =
  'security:\n  require_signature: true\n  on_signature_failure: error\n' +
  '  trusted_identities: ["alice@example.com"]\n  trust_registry_attestations: true\n  trusted_registries: [corp]\n';
const ENTRY = '    - name: corp\n      url: http://attacker.example/\n      type: http\n      default: true\n';

function merged(project: string, untrustedWorkspace: boolean): LoadedConfig {
  const g = validateConfigText(GLOBAL);
  const p = validateConfigText(project);
  return mergeConfigFiles(
    [
      { layer: 'global', path: '/home/u/.aam/config.yaml', exists: true, diagnostics: g.diagnostics, value: g.value },
      { layer: 'project', path: '/repo/.aam/config.yaml', exists: true, diagnostics: p.diagnostics, value: p.value },
    ],
    untrustedWorkspace,
    '/home/u',
    untrustedWorkspace,
  );
}

/**
 * project-review F1: a project config's `__proto__:` mapping became the merged config's prototype, so
 * every top-level key the global config leaves unset (here `registries:`) came from the project without
 * passing the tightening. In Restricted Mode a registry trusted by name was pointed at the attacker's
 * server, and its attestations passed an unsigned package.
 */
describe('a "__proto__" key in a config file', () => {
  it("never becomes the merged config's prototype: nothing is read through it", () => {
    for (const untrusted of [true, false]) {
      const config = merged(`__proto__:\n  registries:\n${ENTRY}`, untrusted);
      assert.deepEqual(
        config.registries.map((r) => r.url),
        [],
      );
      assert.deepEqual(config.security.trusted_registries, ['corp']);
    }
  });

  it('is a blocking error at any depth, reported once', () => {
    for (const text of [
      `__proto__:\n  registries:\n${ENTRY}`,
      'security:\n  signature_threshold:\n    __proto__: 1\n',
      `registries:\n${ENTRY}      __proto__: {key_id: x}\n`,
    ]) {
      const { diagnostics } = validateConfigText(text);
      const reserved = diagnostics.filter((d) => d.code === 'RESERVED_KEY');
      assert.equal(reserved.length, 1, JSON.stringify(diagnostics));
      assert.equal(reserved[0]!.severity, 'error');
      assert.equal(reserved[0]!.path.at(-1), '__proto__');
      assert.ok(!diagnostics.some((d) => d.code === 'UNKNOWN_KEY' && d.path.at(-1) === '__proto__'));
      const config = merged(text, false);
      assert.ok(
        blockingDiagnostics(config).some((b) => b.diagnostic.code === 'RESERVED_KEY'),
        `${text}: not blocking`,
      );
    }
  });

  it('stops verification, restricted or not, and says where it is', async () => {
    const root = await tempDir('aam-proto-key-');
    const [home, project] = [join(root, 'home'), join(root, 'project')];
    await mkdir(join(home, '.aam'), { recursive: true });
    await mkdir(join(project, '.aam'), { recursive: true });
    await writeFile(join(home, '.aam', 'config.yaml'), GLOBAL);
    await writeFile(join(project, '.aam', 'config.yaml'), `# a PR\n__proto__:\n  registries:\n${ENTRY}`);
    for (const restricted of [true, false]) {
      const config = await loadConfig({ homeDir: home, projectDir: project, restricted });
      assert.throws(
        () => assertUsablePolicy(config),
        /config\.yaml:2:1: error RESERVED_KEY: A "__proto__" key is not a setting/,
      );
    }
  });

  it('the plain spelling of the same entry is still flagged and left out in Restricted Mode (control)', () => {
    const config = merged(`registries:\n${ENTRY}`, true);
    assert.deepEqual(config.security.trusted_registries, []);
    assert.equal(config.findings.length, 1);
  });
});

describe('a "__proto__" entry in the trust record (a file the repository holds)', () => {
  it('is an entry of its own, never the prototype names are looked up through', () => {
    const entry = [
      '    version: 1.0.0',
      `    checksum: sha256:${'a'.repeat(64)}`,
      '    source: team',
      '    signature: null',
      "    recorded_at: '2026-12-03T13:45:08.211Z'",
    ].join('\n');
    const text = `record_version: 1\npackages:\n  __proto__:\n${entry}\n  '@acme/one':\n${entry}\nregistries:\n  __proto__: {name: x}\n`;
    const record = parseTrustRecordText(text, 'trust-record.yaml');
    assert.equal(Object.getPrototypeOf(record.packages), Object.prototype);
    assert.deepEqual(Object.keys(record.packages).sort(), ['@acme/one', '__proto__']);
    assert.equal(record.packages.version, undefined);
    assert.equal(record.packages.checksum, undefined);
  });
});

describe('a "__proto__" entry in the lock file (a file the repository holds)', () => {
  it('is an entry of its own, never the prototype names are looked up through (diff3-review 4)', () => {
    const checksum = (c: string) => `sha256:${c.repeat(64)}`;
    const text = `lockfile_version: 1\nresolved_at: x\npackages:\n  __proto__:\n    version: 1.0.0\n    source: s\n    checksum: ${checksum('a')}\n    hidden-pkg: {version: 9.9.9, source: evil}\n  good:\n    version: 1.0.0\n    source: s\n    checksum: ${checksum('b')}\n`;
    let lock: ReturnType<typeof parseLockText> | undefined;
    try {
      lock = parseLockText(text, 'aam-lock.yaml');
    } catch {
      return; // refused whole: as good
    }
    assert.equal(Object.getPrototypeOf(lock.packages), Object.prototype);
    assert.equal((lock.packages as Record<string, unknown>)['hidden-pkg'], undefined);
  });
});
