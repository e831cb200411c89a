import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfigFiles } from '../../../src/core/config/load.ts';
import { failureRank } from '../../../src/core/policy/decision.ts';

/**
 * Project settings a cloned repository could use to loosen the user's policy
 * past the Restricted Mode filter, found by a hostile review: a registry the
 * user trusts re-pointed (or un-pinned) by a project `registries:` list, and a
 * `signature_threshold` map that keeps the global value only on the names the
 * comparison used to sample.
 */
const PIN = 'a'.repeat(64);
const CORP = { name: 'corp', url: 'https://registry.corp.example', type: 'http', key_id: PIN };
const ATTESTED = {
  require_signature: true,
  on_signature_failure: 'error',
  trust_registry_attestations: true,
  trusted_registries: ['corp'],
};

function load(global: Record<string, unknown>, project: Record<string, unknown>, restricted: boolean) {
  return mergeConfigFiles(
    [
      { layer: 'global', path: '/home/u/.aam/config.yaml', exists: true, diagnostics: [], value: global },
      { layer: 'project', path: '/w/.aam/config.yaml', exists: true, diagnostics: [], value: project },
    ],
    restricted,
    '/home/u',
  );
}

const messages = (config: ReturnType<typeof load>) => config.findings.map((f) => `${f.kind}: ${f.message}`);

describe('a project cannot re-point a registry the user defines', () => {
  const global = { registries: [CORP], security: ATTESTED };
  for (const [what, entry, change] of [
    ['another url', { ...CORP, url: 'https://registry.attacker.example' }, 'url https://registry.attacker.example'],
    ['no key_id', { name: 'corp', url: CORP.url, type: 'http' }, 'without its key_id'],
    ['another key_id', { ...CORP, key_id: 'b'.repeat(64) }, 'another key_id'],
    ['another type', { ...CORP, type: 'local' }, 'type local instead of http'],
  ] as const) {
    it(`with ${what}: Restricted Mode keeps the global entry, a trusted workspace is told`, () => {
      const restricted = load(global, { registries: [entry] }, true);
      const corp = restricted.registries.find((r) => r.name === 'corp');
      assert.deepEqual([corp?.url, corp?.keyId, corp?.type], [CORP.url, PIN, 'http']);
      for (const config of [restricted, load(global, { registries: [entry] }, false)]) {
        assert.equal(config.findings.length, 1);
        assert.equal(config.findings[0]!.kind, 'weakens');
        assert.deepEqual(config.findings[0]!.path, ['registries']);
        assert.ok(messages(config)[0]!.includes(change), messages(config)[0]);
      }
      // Trusted, the project's entry applies (it is the user's own workspace), flagged above.
      assert.equal(load(global, { registries: [entry] }, false).registries[0]!.url, entry.url);
    });
  }

  it('a project without registries keeps the global ones, in Restricted Mode too', () => {
    for (const restricted of [true, false])
      assert.deepEqual(
        load(global, { security: { on_signature_failure: 'error' } }, restricted).registries.map((r) => r.url),
        [CORP.url],
      );
  });

  it('the same entry again, a trailing slash or another name is not flagged', () => {
    const project = {
      registries: [
        { ...CORP, url: `${CORP.url}/`, default: true },
        { name: 'team', url: '/srv/r' },
      ],
    };
    const config = load(global, project, true);
    assert.deepEqual(config.findings, []);
    assert.deepEqual(
      config.registries.map((r) => r.name),
      ['corp', 'team'],
    );
  });

  it('a registry the user trusts by name but does not define is not trusted from a project in Restricted Mode', () => {
    const project = { registries: [{ name: 'corp', url: 'https://registry.attacker.example', type: 'http' }] };
    const restricted = load({ security: ATTESTED }, project, true);
    assert.deepEqual(restricted.security.trusted_registries, []);
    assert.deepEqual(
      restricted.findings.map((f) => f.kind),
      ['weakens'],
    );
    assert.match(
      messages(restricted)[0]!,
      /says where "corp" is, a registry your global policy trusts by name .* whose attestations count/,
    );
    // A project that narrows the list itself keeps what is left of it.
    const narrowed = load(
      { security: { ...ATTESTED, trusted_registries: ['corp', 'other'] } },
      { ...project, security: { trusted_registries: ['corp', 'other'] } },
      true,
    );
    assert.deepEqual(narrowed.security.trusted_registries, ['other']);
    // In a trusted workspace the entry applies, and is flagged as the weakening it is (project-review F2: it
    // applied with no word, and the project chose whose attestations passed an unsigned package).
    const trusted = load({ security: ATTESTED }, project, false);
    assert.deepEqual(trusted.security.trusted_registries, ['corp']);
    assert.deepEqual(messages(trusted), messages(restricted));
  });
});

describe('signature_threshold: a project map is compared on every region its patterns cut out', () => {
  for (const [global, project, message] of [
    [{ '*': 2 }, { 'any-package': 2, '*': 1 }, 'lowers signature_threshold for packages from 2 to 1'],
    [{ '@corp/*': 2 }, { '@corp/any-package': 2, '@corp/*': 1 }, 'lowers signature_threshold for @corp/* from 2 to 1'],
    [{ '*': 2 }, { '@corp/tool': 2, '@corp/*': 1 }, 'lowers signature_threshold for @corp/* from 2 to 1'],
    [{ '*': 2, '@corp/*': 3 }, { '@corp/*': 2 }, 'lowers signature_threshold for @corp/* from 3 to 2'],
    [{ '*': 2 }, { '@any-scope/*': 3, '*': 1 }, 'lowers signature_threshold for packages from 2 to 1'],
    [
      2,
      { 'any-package': 2, '@any-scope/any-package': 2, '*': 1 },
      'lowers signature_threshold for packages from 2 to 1',
    ],
  ] as const) {
    it(`${JSON.stringify(project)} over ${JSON.stringify(global)} is a weakening`, () => {
      const config = load(
        { security: { signature_threshold: global } },
        { security: { signature_threshold: project } },
        true,
      );
      assert.deepEqual(messages(config), [`weakens: ${message}`]);
      assert.deepEqual(config.security.signature_threshold, global);
    });
  }

  for (const [global, project] of [
    [{ '*': 2 }, { '@corp/tool': 3, '*': 2 }],
    [{ '@corp/*': 2 }, { '@corp/*': 3, tool: 4 }],
    [1, { '*': 2, '@corp/*': 1 }],
  ] as const) {
    it(`${JSON.stringify(project)} over ${JSON.stringify(global)} tightens, and applies`, () => {
      const config = load(
        { security: { signature_threshold: global } },
        { security: { signature_threshold: project } },
        true,
      );
      assert.deepEqual(config.findings, []);
      assert.notDeepEqual(config.security.signature_threshold, global);
    });
  }
});

describe('failure modes ranked (policy.ts failureRank)', () => {
  it('ranks the three modes in order, and nothing else at all', () => {
    assert.deepEqual(['ignore', 'warn', 'error'].map(failureRank), [0, 1, 2]);
    for (const none of ['constructor', 'toString', '__proto__', 'Error', 'warn ', 2, null, undefined, ['error']])
      assert.equal(failureRank(none), undefined, String(none));
  });
});
