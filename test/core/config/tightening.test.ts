import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfigFiles } from '../../../src/core/config/load.ts';
import type { ConfigFileState } from '../../../src/core/config/load.ts';

function files(globalSecurity: Record<string, unknown>, projectSecurity: Record<string, unknown>): ConfigFileState[] {
  return [
    {
      layer: 'global',
      path: '/home/u/.aam/config.yaml',
      exists: true,
      diagnostics: [],
      value: { security: globalSecurity },
    },
    {
      layer: 'project',
      path: '/w/.aam/config.yaml',
      exists: true,
      diagnostics: [],
      value: { security: projectSecurity },
    },
  ];
}

const STRICT = {
  require_signature: true,
  on_signature_failure: 'error',
  trusted_identities: ['*@corp.com'],
  allowed_issuers: ['https://accounts.google.com'],
  blocked_packages: ['@evil/*'],
};

describe('Restricted Mode: only tightening project settings apply', () => {
  it('ignores every weakening setting of a cloned repository and says so', () => {
    const weakening = {
      require_signature: false,
      on_signature_failure: 'ignore',
      verify_transparency_log: false,
      trusted_identities: ['*@corp.com', 'attacker@evil.io'],
      allowed_issuers: [],
      sigstore_trusted_root: '../policy/evil-root.json',
      blocked_packages: [],
      sigstore_oidc_issuer: 'https://phish.example',
    };
    const config = mergeConfigFiles(files(STRICT, weakening), true);
    assert.equal(config.security.require_signature, true);
    assert.equal(config.security.on_signature_failure, 'error');
    assert.equal(config.security.verify_transparency_log, true);
    assert.deepEqual(config.security.trusted_identities, ['*@corp.com']);
    assert.equal(
      config.policyContext().sourceOf?.('trusted_identities'),
      '/home/u/.aam/config.yaml',
      'the list in effect is the global one',
    );
    assert.deepEqual(config.security.allowed_issuers, ['https://accounts.google.com']);
    assert.equal(config.security.sigstore_trusted_root, undefined);
    assert.deepEqual(config.security.blocked_packages, ['@evil/*']);
    assert.equal(config.security.sigstore_oidc_issuer, 'https://oauth2.sigstore.dev/auth');
    const flagged = config.findings.map((f) => f.path.join('.'));
    for (const key of [
      'require_signature',
      'on_signature_failure',
      'verify_transparency_log',
      'trusted_identities',
      'allowed_issuers',
      'sigstore_trusted_root',
      'blocked_packages',
      'sigstore_oidc_issuer',
    ]) {
      assert.ok(flagged.includes(`security.${key}`), `not flagged: ${key}`);
    }
  });
  it('applies settings that tighten', () => {
    const config = mergeConfigFiles(
      files(
        { on_signature_failure: 'warn' },
        {
          require_signature: true,
          on_signature_failure: 'error',
          trusted_identities: ['alice@corp.com'],
          allowed_issuers: ['https://accounts.google.com'],
          blocked_packages: ['x'],
        },
      ),
      true,
    );
    assert.equal(config.security.require_signature, true);
    assert.equal(config.security.on_signature_failure, 'error');
    assert.deepEqual(config.security.trusted_identities, ['alice@corp.com']);
    assert.deepEqual(config.security.allowed_issuers, ['https://accounts.google.com']);
    assert.deepEqual(config.findings, []);
  });
  it('narrows a trust list to the entries the global policy already trusts', () => {
    const config = mergeConfigFiles(
      files({ trusted_identities: ['a@corp.com', 'b@corp.com'] }, { trusted_identities: ['b@corp.com', 'c@evil.io'] }),
      true,
    );
    assert.deepEqual(config.security.trusted_identities, ['b@corp.com']);
  });
  it('does not let an emptied trust list turn the policy into "trust any signer"', () => {
    const config = mergeConfigFiles(files({ trusted_identities: ['a@corp.com'] }, { trusted_identities: [] }), true);
    assert.deepEqual(config.security.trusted_identities, ['a@corp.com']);
    assert.ok(config.findings.some((f) => /any valid signer/.test(f.message)));
  });
  it('compares fingerprints after normalisation', () => {
    const config = mergeConfigFiles(
      files(
        { trusted_keys: ['ABCD1234EF567890ABCD1234EF567890ABCD1234'] },
        { trusted_keys: ['abcd 1234 ef56 7890 abcd 1234 ef56 7890 abcd 1234'] },
      ),
      true,
    );
    assert.deepEqual(config.findings, []);
  });
});

describe('trusted workspace: weakening project settings apply but are always flagged', () => {
  it('applies the project value and reports it', () => {
    const config = mergeConfigFiles(files(STRICT, { on_signature_failure: 'warn' }), false);
    assert.equal(config.security.on_signature_failure, 'warn');
    assert.deepEqual(
      config.findings.map((f) => [f.kind, f.path.join('.')]),
      [['weakens', 'security.on_signature_failure']],
    );
  });
  it('a project that stops looking for hidden content is flagged, and ignored in Restricted Mode', () => {
    const trusted = mergeConfigFiles(files({ hidden_content: 'error' }, { hidden_content: 'ignore' }), false);
    assert.equal(trusted.security.hidden_content, 'ignore');
    assert.deepEqual(
      trusted.findings.map((f) => [f.kind, f.path.join('.'), f.message]),
      [['weakens', 'security.hidden_content', 'lowers hidden_content from error to ignore']],
    );
    assert.equal(mergeConfigFiles(files({}, { hidden_content: 'warn' }), true).security.hidden_content, 'warn');
    assert.equal(mergeConfigFiles(files({}, { hidden_content: 'ignore' }), true).security.hidden_content, 'warn');
    assert.equal(mergeConfigFiles(files({}, { hidden_content: 'error' }), true).security.hidden_content, 'error');
  });
  it('does not flag settings that are only limited in Restricted Mode', () => {
    const config = mergeConfigFiles(files(STRICT, { sigstore_oidc_issuer: 'https://auth.corp.com' }), false);
    assert.deepEqual(config.findings, []);
    assert.equal(config.security.sigstore_oidc_issuer, 'https://auth.corp.com');
  });

  it('keeps the global signature_threshold and allow_delegation against a project that would lower them', () => {
    const global = { ...STRICT, signature_threshold: { '@corp/*': 2 }, allow_delegation: false };
    const lowered = mergeConfigFiles(
      files(global, { signature_threshold: 1, allow_delegation: true, keyserver: 'hkp://keys.evil.example' }),
      true,
    );
    assert.deepEqual(lowered.security.signature_threshold, { '@corp/*': 2 });
    assert.equal(lowered.security.allow_delegation, false);
    assert.equal(lowered.security.keyserver, undefined);
    assert.deepEqual(
      lowered.findings.map((f) => `${f.kind}: ${f.message}`),
      [
        'weakens: trusts signatures through delegations, which the global policy does not',
        'weakens: lowers signature_threshold for @corp/* from 2 to 1',
        'trusted-only: sets keyserver, which only a trusted workspace may change',
      ],
    );
    // A map that raises one pattern and keeps the rest tightens: it applies, merged key by key.
    const raised = mergeConfigFiles(files(global, { signature_threshold: { '@corp/tools': 3 } }), true);
    assert.deepEqual(raised.security.signature_threshold, { '@corp/*': 2, '@corp/tools': 3 });
    assert.deepEqual(raised.findings, []);
    // In a trusted workspace the lowering applies, and is still flagged.
    const trusted = mergeConfigFiles(files(global, { signature_threshold: 1 }), false);
    assert.equal(trusted.security.signature_threshold, 1);
    assert.equal(trusted.findings.length, 1);
  });

  it('a project trusting only signers the global policy does not is told once, not that it empties the lists', () => {
    // newuser-review 6: the global policy trusts a key; the project lists only another.
    const global = { trusted_keys: ['77C4A1B2C3D4E5F60718293A4B5C6D7E8F9098A2'] };
    const config = mergeConfigFiles(
      files(global, { trusted_keys: ['532DA1B2C3D4E5F60718293A4B5C6D7E8F90F181'] }),
      true,
    );
    assert.deepEqual(config.security.trusted_keys, global.trusted_keys, 'the global list is in effect');
    assert.deepEqual(
      config.findings.map((f) => `${f.path.join('.')}: ${f.message}`),
      [
        'security.trusted_keys: trusts "532DA1B2C3D4E5F60718293A4B5C6D7E8F90F181", who the global policy does not trust',
      ],
    );
    // A project that does set both lists empty is told so.
    const emptied = mergeConfigFiles(files(global, { trusted_keys: [], trusted_identities: [] }), true);
    assert.ok(emptied.findings.some((f) => /empties the trust lists/.test(f.message)));
  });
});
