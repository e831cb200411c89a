import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfigEdits } from '../../../src/core/config/edit.ts';
import { describeMatch, levelEdits, levelNamed, matchLevel, TRUST_LEVELS } from '../../../src/core/config/levels.ts';
import { validateConfigText } from '../../../src/core/config/validate.ts';
import { schemaAt } from '../../../src/core/config/schema.ts';

const merged = (text: string) => ({ value: validateConfigText(text).value ?? {} });

describe('trust levels', () => {
  it('each level sets exactly these keys (the seeds: Minimal, Moderate, Strict, Maximum)', () => {
    assert.deepEqual(Object.fromEntries(TRUST_LEVELS.map((l) => [l.name, l.keys])), {
      minimal: {
        require_signature: false,
        on_signature_failure: 'ignore',
        require_registry_attestation: false,
        hidden_content: 'warn',
      },
      moderate: {
        require_signature: false,
        on_signature_failure: 'warn',
        require_registry_attestation: false,
        hidden_content: 'warn',
      },
      strict: {
        require_signature: true,
        on_signature_failure: 'error',
        verify_transparency_log: true,
        on_signer_change: 'error',
        require_registry_attestation: false,
        hidden_content: 'error',
      },
      maximum: {
        require_signature: true,
        on_signature_failure: 'error',
        verify_transparency_log: true,
        on_signer_change: 'error',
        require_registry_attestation: true,
        trust_registry_attestations: true,
        hidden_content: 'error',
      },
    });
  });

  it('every key a level sets is a security key of the schema, and every value one it allows', () => {
    for (const level of TRUST_LEVELS)
      for (const [key, value] of Object.entries(level.keys)) {
        const node = schemaAt(['security', key]);
        assert.ok(node, `${level.name}: ${key} is not in the schema`);
        if (node.enum) assert.ok(node.enum.includes(value), `${level.name}: ${key}: ${String(value)}`);
        else assert.equal(typeof value, node.type, `${level.name}: ${key}`);
      }
  });

  it('writes only its keys: comments, other keys and their order stay', () => {
    const before = `# Team policy
registries: [] # none yet
security:
  # Be careful here.
  require_signature: false # for now
  trusted_identities:
    - "*@example.com" # our team
  blocked_packages: ["@x/old"]
`;
    const after = applyConfigEdits(before, levelEdits(levelNamed('strict')));
    assert.equal(
      after,
      `# Team policy
registries: [] # none yet
security:
  # Be careful here.
  require_signature: true # for now
  trusted_identities:
    - "*@example.com" # our team
  blocked_packages: ["@x/old"]
  on_signature_failure: error
  verify_transparency_log: true
  on_signer_change: error
  require_registry_attestation: false
  hidden_content: error
`,
    );
    assert.equal(applyConfigEdits(after, levelEdits(levelNamed('strict'))), after, 'applying twice changes nothing');
  });

  it('a policy of defaults is Moderate; each level, once applied, is matched as itself', () => {
    assert.equal(describeMatch(matchLevel(merged(''))), 'Moderate');
    for (const level of TRUST_LEVELS) {
      const text = applyConfigEdits(
        'security:\n  trusted_keys: ["0123456789ABCDEF0123456789ABCDEF01234567"]\n',
        levelEdits(level),
      );
      const match = matchLevel(merged(`${text}  trusted_registries: [team]\n`));
      assert.equal(match.kind === 'level' && match.level.name, level.name);
    }
  });

  it('a policy that matches no level is custom, with the nearest level (the strongest it fully meets) and what differs', () => {
    const match = matchLevel(merged('security:\n  on_signature_failure: error\n'));
    assert.equal(describeMatch(match), 'custom (nearest: Moderate; on_signature_failure is error, not warn)');
    // Strict but for the transparency log: short of Strict, so "nearest" is Moderate, never overstating it.
    const almost = matchLevel(
      merged(
        applyConfigEdits('', [
          ...levelEdits(levelNamed('strict')),
          { op: 'set', path: ['security', 'verify_transparency_log'], value: false },
        ]),
      ),
    );
    assert.equal(almost.kind === 'custom' && almost.nearest.name, 'moderate');
    assert.deepEqual(almost.kind === 'custom' && almost.next, {
      level: levelNamed('strict'),
      missing: [{ key: 'verify_transparency_log', value: false, expected: true }],
    });
    // Below every level (hidden content ignored): Minimal, with how it falls short.
    const below = matchLevel(merged('security:\n  on_signature_failure: ignore\n  hidden_content: ignore\n'));
    assert.equal(describeMatch(below), 'custom (nearest: Minimal; hidden_content is ignore, not warn)');
  });

  it('a value of the wrong type counts for nothing, as verification applies the default instead', () => {
    // Strict's values, but require_signature a word and on_signature_failure a list: verify refuses both.
    const strict = applyConfigEdits('', levelEdits(levelNamed('strict')))
      .replace('require_signature: true', 'require_signature: error')
      .replace(/on_signature_failure: error/, 'on_signature_failure: [error]');
    const match = matchLevel(merged(strict));
    assert.equal(match.kind === 'custom' && match.nearest.name, 'minimal', describeMatch(match));
  });

  it('Strict and Maximum say what they need but never write it: someone to trust, a registry to trust', () => {
    const strict = matchLevel(merged(applyConfigEdits('', levelEdits(levelNamed('strict')))));
    assert.equal(strict.kind, 'level');
    assert.match(
      strict.kind === 'level' ? strict.unmet.join('\n') : '',
      /Strict is incomplete: .*trusted_identities and trusted_keys are empty/,
    );
    const maximum = matchLevel(
      merged(`${applyConfigEdits('', levelEdits(levelNamed('maximum')))}  trusted_identities: ["*@example.com"]\n`),
    );
    assert.deepEqual(maximum.kind === 'level' ? maximum.unmet.map((u) => u.replace(/:.*/, '')) : [], [
      'Maximum is incomplete',
    ]);
    assert.match(maximum.kind === 'level' ? maximum.unmet[0]! : '', /trusted_registries is empty/);
    for (const level of TRUST_LEVELS)
      for (const key of ['trusted_identities', 'trusted_keys', 'trusted_registries', 'allowed_issuers'])
        assert.ok(!(key in level.keys), `${level.name} writes ${key}`);
  });
});
