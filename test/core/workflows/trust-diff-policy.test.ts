import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseLockText } from '../../../src/core/lockfile/lockfile.ts';
import { keyIdOf } from '../../../src/core/model/key-id.ts';
import { parseTrustRecordText } from '../../../src/core/record/trust-record.ts';
import { describePolicyChange, trustDiff } from '../../../src/core/workflows/diff/trust-diff.ts';
import type { ProjectState } from '../../../src/core/workflows/diff/state.ts';
import { policyRevert } from '../../../src/core/workflows/diff/policy-revert.ts';

/**
 * The policy half of a Trust Diff sees every setting a pull request can weaken, not only the trust lists:
 * signature_threshold, delegation, registry attestations, install and publish policy, the registries a name
 * points at, and the registry keys and audit-log heads the trust record pins. Each weaker change is a reason.
 */
const state = (label: string, configText: string, recordText = ''): ProjectState => ({
  label,
  lock: parseLockText('', `${label}: aam-lock.yaml`),
  lockText: '',
  record: parseTrustRecordText(recordText, `${label}: trust-record.yaml`),
  configText,
});
const globalConfig = {
  layer: 'global' as const,
  path: '~/.aam/config.yaml',
  exists: false,
  diagnostics: [],
  value: {},
};
const diffOf = (base: ProjectState, head: ProjectState) => trustDiff(base, head, { globalConfig, homeDir: '/home/x' });
const changed = (before: string, after: string) => {
  const diff = diffOf(state('main', before), state('working tree', after));
  return { changes: diff.policy.map((c) => [describePolicyChange(c), c.weaker]), reasons: diff.reasons };
};
const security = (lines: string) => `security:\n${lines.replace(/^/gm, '  ')}\n`;

describe('Trust Diff: every security setting', () => {
  const cases: [string, string, string, boolean][] = [
    ['threshold lowered', 'signature_threshold: 2', 'signature_threshold: 1', true],
    ['threshold of a scope dropped', 'signature_threshold: {"@acme/*": 2}', 'signature_threshold: {"*": 1}', true],
    ['threshold raised', 'signature_threshold: 1', 'signature_threshold: 2', false],
    ['delegation allowed', 'allow_delegation: false', 'allow_delegation: true', true],
    ['delegation refused', 'allow_delegation: true', 'allow_delegation: false', false],
    [
      'attestations no longer required',
      'require_registry_attestation: true',
      'require_registry_attestation: false',
      true,
    ],
    ['attestations accepted', 'trust_registry_attestations: false', 'trust_registry_attestations: true', true],
    ['tags no longer required', 'install_policy: {require_tag: true}', 'install_policy: {require_tag: false}', true],
    [
      'a scope allowed besides',
      'install_policy: {allowed_scopes: [acme]}',
      'install_policy: {allowed_scopes: [acme, evil]}',
      true,
    ],
    [
      'an approver added',
      'publish_policy: {approvers: [alice]}',
      'publish_policy: {approvers: [alice, mallory]}',
      true,
    ],
    [
      'approval no longer required',
      'publish_policy: {require_approval: true}',
      'publish_policy: {require_approval: false}',
      true,
    ],
    ['signing method', 'signing_method: sigstore', 'signing_method: gpg', false],
  ];
  for (const [label, before, after, weaker] of cases)
    it(`${label}: a change${weaker ? ', weaker, and a reason' : ', not weaker'}`, () => {
      const { changes, reasons } = changed(security(before), security(after));
      assert.equal(changes.length, 1, JSON.stringify(changes));
      assert.equal(changes[0]![1], weaker, String(changes[0]![0]));
      assert.equal(reasons.length, weaker ? 1 : 0);
    });

  it('words a whole setting as it was and is', () => {
    assert.deepEqual(
      changed(security('signature_threshold: {"@acme/*": 2}'), security('signature_threshold: 1')).changes,
      [['signature_threshold: {"@acme/*":2} → 1 (weaker)', true]],
    );
  });
});

describe('Trust Diff: the registries a name points at', () => {
  const registries = (url: string, extra = '') =>
    `registries:\n  - name: team\n    url: ${url}\n    type: http\n${extra}security:\n  trusted_registries: [team, corp]\n`;
  const corp = '  - name: corp\n    url: https://corp.example\n    type: http\n';

  it('a trusted name pointed elsewhere is weaker; a new name is weaker only when it is trusted', () => {
    assert.deepEqual(changed(registries('https://r.example'), registries('https://evil.example')).changes, [
      ['registries "team": http https://r.example → http https://evil.example (weaker)', true],
    ]);
    assert.deepEqual(changed(registries('https://r.example'), registries('https://r.example', corp)).changes, [
      ['added registries entry "corp" (http https://corp.example) (weaker)', true],
    ]);
    const other = corp.replace(/corp/g, 'other');
    assert.deepEqual(changed(registries('https://r.example'), registries('https://r.example', other)).changes, [
      ['added registries entry "other" (http https://other.example)', false],
    ]);
  });

  it('another default registry is weaker: packages named without --registry come from elsewhere', () => {
    const two = (defaultOf: string) =>
      `registries:\n  - name: team\n    url: https://r.example\n    type: http\n${defaultOf === 'team' ? '    default: true\n' : ''}  - name: other\n    url: https://o.example\n    type: http\n${defaultOf === 'other' ? '    default: true\n' : ''}`;
    assert.deepEqual(changed(two('team'), two('other')).changes, [['default registry: team → other (weaker)', true]]);
    assert.deepEqual(changed(two('team'), two('team')).changes, []);
  });

  it('is not reverted as a security setting', () => {
    const diff = diffOf(
      state('main', registries('https://r.example')),
      state('wt', registries('https://evil.example')),
    );
    assert.throws(
      () => policyRevert(state('main', registries('https://r.example')), diff.policy[0]!),
      (error: { message: string; hint?: string }) =>
        /^Only a security setting is reverted here/.test(error.message) && /Edit registries:/.test(error.hint ?? ''),
    );
  });
});

describe("Trust Diff: the trust record's registry pins", () => {
  const key = () => {
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    return { pem, id: keyIdOf(pem) };
  };
  const [k1, k2] = [key(), key()];
  const record = (k: { pem: string; id: string }, size: number, head = 'a') =>
    `record_version: 1\npackages: {}\nregistries:\n  team:\n    name: team\n    key_id: ${k.id}\n    public_key: ${JSON.stringify(k.pem)}\n    audit_size: ${size}\n    audit_head: ${head.repeat(64)}\n    recorded_at: "2026-12-01T00:00:00Z"\n`;
  const pins = (before: string, after: string) => {
    const diff = diffOf(state('main', '', before), state('working tree', '', after));
    return { changes: diff.policy.map((c) => [describePolicyChange(c), c.weaker]), reasons: diff.reasons };
  };

  it('control: a head that extends the log, and the same key, is no change', () => {
    assert.ok(parseTrustRecordText(record(k1, 10), 'x').registries?.team, 'the pin parses');
    assert.deepEqual(pins(record(k1, 10), record(k1, 12, 'b')).changes, []);
  });

  it('another key, a rewound log, the same size with another head, or a dropped pin are weaker', () => {
    for (const after of [
      record(k2, 10),
      record(k1, 3, 'b'),
      record(k1, 10, 'b'),
      'record_version: 1\npackages: {}\n',
    ]) {
      const { changes, reasons } = pins(record(k1, 10), after);
      assert.equal(changes.length, 1, after);
      assert.match(String(changes[0]![0]), /registry pin/);
      assert.equal(changes[0]![1], true);
      assert.equal(reasons.length, 1);
    }
    assert.deepEqual(pins(record(k1, 10), record(k2, 10)).changes, [
      [`registry pin "team": key ${k1.id}, audit log at 10 → key ${k2.id}, audit log at 10 (weaker)`, true],
    ]);
  });

  it("a tree root dropped or changed, or the registry's name changed, is weaker", () => {
    const rooted = (root: string | undefined, name = 'team') =>
      record(k1, 10).replace(
        '    name: team\n',
        `    name: ${name}\n${root ? `    audit_root: ${root.repeat(64)}\n` : ''}`,
      );
    for (const after of [rooted(undefined), rooted('c'), rooted('b', 'other')]) {
      const { changes, reasons } = pins(rooted('b'), after);
      assert.deepEqual([changes.length, changes[0]?.[1], reasons.length], [1, true, 1], after);
    }
    assert.deepEqual(
      pins(
        rooted('b'),
        record(k1, 12, 'b').replace('    name: team\n', `    name: team\n    audit_root: ${'d'.repeat(64)}\n`),
      ).changes,
      [],
      'a grown log with its new root',
    );
  });

  it('a first pin is shown, not weaker', () => {
    assert.deepEqual(pins('', record(k1, 1)).changes, [
      [`added registry pin entry "team" (key ${k1.id}, audit log at 1)`, false],
    ]);
  });
});
