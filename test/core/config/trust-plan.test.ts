import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { applyConfigEdits } from '../../../src/core/config/edit.ts';
import { securitySettings } from '../../../src/core/config/settings.ts';
import { issuerNote, trustOptionsFor, trustPlanFor } from '../../../src/core/config/trust-entries.ts';
import type { TrustPlan, TrustTarget } from '../../../src/core/config/trust-entries.ts';
import { GITHUB_ACTIONS_ISSUER } from '../../../src/core/policy/identity.ts';
import type { Signer } from '../../../src/core/policy/trust-match.ts';

const GOOGLE = 'https://accounts.google.com';
const PARTNER = 'https://idp.partner.io';

function sigstore(san: string, issuer: string): Signer {
  const sanType = san.startsWith('https://') ? 'uri' : 'email';
  return { type: 'sigstore', identity: { san, sanType, issuer }, tlog: undefined, signedAt: undefined };
}

const BOB = sigstore('bob@partner.io', PARTNER);

/** The plan for trusting `signer` (its narrowest entry) in a global file with `security`, and that file as text. */
function globalPlan(signer: Signer, security: Record<string, unknown>): { plan: TrustPlan; text: string } {
  const value = { security };
  const target: TrustTarget = { layer: 'global', value, effective: securitySettings({ value }) };
  return { plan: trustPlanFor(signer, trustOptionsFor(signer)[0]!, target), text: JSON.stringify(value) };
}

/**
 * Every list the edits change, as the file has it after them, checked against
 * the preview: a list the file had gains exactly the previewed items, a list it
 * lacked becomes exactly the previewed one, and nothing else changes.
 */
function assertPreviewIsWhatIsWritten(plan: TrustPlan, text: string): void {
  const before = (parse(text)?.security ?? {}) as Record<string, unknown[]>;
  const after = (parse(applyConfigEdits(text, plan.edits))?.security ?? {}) as Record<string, unknown[]>;
  const shown = (parse(plan.preview)?.security ?? {}) as Record<string, unknown[]>;
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const expected = key in shown ? [...(before[key] ?? []), ...shown[key]!] : before[key];
    assert.deepEqual(after[key], expected, `security.${key} after the edits, against the preview:\n${plan.preview}`);
  }
}

describe('trusting a signer: what is shown is what is written', () => {
  it("when allowed_issuers lacks the signer's issuer, the preview shows it added, and the note names the entries it opens", () => {
    const { plan, text } = globalPlan(BOB, { allowed_issuers: [GOOGLE], trusted_identities: ['*@example.com'] });
    assert.equal(
      plan.preview,
      `security:\n  trusted_identities:\n    - identity: bob@partner.io\n      issuer: ${PARTNER}\n  allowed_issuers:\n    - ${PARTNER}`,
    );
    assert.deepEqual(plan.issuer, { added: PARTNER, opens: ['*@example.com'] });
    const note = issuerNote(plan) ?? '';
    assert.match(note, new RegExp(`adds ${PARTNER} to allowed_issuers`));
    assert.match(note, /accept certificates from .* as well, not only this signer:\n {2}- \*@example\.com\n/);
    assertPreviewIsWhatIsWritten(plan, text);
  });

  it('lists only the entries that can match the new issuer: not those pinned elsewhere, nor CI patterns of other issuers', () => {
    const { plan } = globalPlan(BOB, {
      allowed_issuers: [GOOGLE],
      trusted_identities: [
        '*@example.com',
        'https://ci.example.com/release',
        'github:acme',
        'gitlab:acme/tools',
        'not a pattern',
        { identity: 'alice@example.com', issuer: GOOGLE },
        { identity: 'erin@partner.io', issuer: PARTNER },
      ],
    });
    assert.deepEqual(plan.issuer?.opens, [
      '*@example.com',
      'https://ci.example.com/release',
      { identity: 'erin@partner.io', issuer: PARTNER },
    ]);
    assert.match(issuerNote(plan) ?? '', /- erin@partner\.io \(issuer https:\/\/idp\.partner\.io\)/);
  });

  it('adding the GitHub Actions issuer opens the github: patterns', () => {
    const workflow = sigstore(
      'https://github.com/acme/tool/.github/workflows/release.yml@refs/tags/v1',
      GITHUB_ACTIONS_ISSUER,
    );
    const { plan } = globalPlan(workflow, {
      allowed_issuers: [GOOGLE],
      trusted_identities: ['github:acme', '*@example.com'],
    });
    assert.deepEqual(plan.issuer?.opens, ['github:acme', '*@example.com']);
  });

  it('says so plainly when the new issuer opens nothing else', () => {
    const { plan, text } = globalPlan(BOB, { allowed_issuers: [GOOGLE], trusted_identities: ['github:acme'] });
    assert.deepEqual(plan.issuer, { added: PARTNER, opens: [] });
    assert.match(
      issuerNote(plan) ?? '',
      /adds https:\/\/idp\.partner\.io to allowed_issuers\. No other entry in effect/,
    );
    assertPreviewIsWhatIsWritten(plan, text);
  });

  it('with no allowed_issuers (any issuer), or the issuer already allowed, writes and shows only the entry', () => {
    for (const security of [{ trusted_identities: ['*@example.com'] }, { allowed_issuers: [GOOGLE, PARTNER] }]) {
      const { plan, text } = globalPlan(BOB, security);
      assert.equal(
        plan.preview,
        `security:\n  trusted_identities:\n    - identity: bob@partner.io\n      issuer: ${PARTNER}`,
      );
      assert.equal(plan.issuer, undefined);
      assert.equal(issuerNote(plan), undefined);
      assertPreviewIsWhatIsWritten(plan, text);
    }
  });

  it('a project file that starts a list shows the whole list it writes, and the global entries the issuer opens', () => {
    const global = { allowed_issuers: [GOOGLE], trusted_identities: ['*@example.com'] };
    const project = { require_signature: true };
    const effective = securitySettings({ value: { security: { ...global, ...project } } });
    const value = { security: project };
    const plan = trustPlanFor(BOB, trustOptionsFor(BOB)[0]!, { layer: 'project', value, effective });
    assert.equal(
      plan.preview,
      [
        'security:',
        '  trusted_identities:',
        '    # the whole list: this file did not have one, and its list replaces the global one',
        '    - "*@example.com"',
        '    - identity: bob@partner.io',
        `      issuer: ${PARTNER}`,
        '  allowed_issuers:',
        '    # the whole list: this file did not have one, and its list replaces the global one',
        `    - ${GOOGLE}`,
        `    - ${PARTNER}`,
      ].join('\n'),
    );
    assert.deepEqual(plan.issuer?.opens, ['*@example.com']);
    assertPreviewIsWhatIsWritten(plan, JSON.stringify(value));
  });

  it('an OpenPGP key adds only its fingerprint', () => {
    const fingerprint = 'A'.repeat(40);
    const key: Signer = {
      type: 'gpg',
      fingerprint,
      signingKeyFingerprint: fingerprint,
      userIds: [],
      signedAt: undefined,
    };
    const { plan, text } = globalPlan(key, { allowed_issuers: [GOOGLE], trusted_identities: ['*@example.com'] });
    assert.equal(plan.preview, `security:\n  trusted_keys:\n    - ${fingerprint}`);
    assert.equal(issuerNote(plan), undefined);
    assertPreviewIsWhatIsWritten(plan, text);
  });

  it('the note goes through the given translator with {0}-style holes, as the editor passes vscode.l10n.t', () => {
    const { plan } = globalPlan(BOB, { allowed_issuers: [GOOGLE], trusted_identities: ['*@example.com'] });
    const calls: string[][] = [];
    const note = issuerNote(plan, (message, ...args) => {
      calls.push([message, ...args]);
      return 'translated';
    });
    assert.equal(note, 'translated');
    assert.equal(calls.length, 1);
    assert.match(calls[0]![0]!, /\{0\} to allowed_issuers.*\n\{1\}\n/s);
    assert.deepEqual(calls[0]!.slice(1), [PARTNER, '  - *@example.com']);
  });

  it('does not start allowed_issuers in a global file that has none (any issuer) when only the project sets it', () => {
    const value = { security: { trusted_identities: ['*@example.com'] } };
    const effective = securitySettings({ value: { security: { ...value.security, allowed_issuers: [GOOGLE] } } });
    const plan = trustPlanFor(BOB, trustOptionsFor(BOB)[0]!, { layer: 'global', value, effective });
    assert.deepEqual(
      plan.edits.map((e) => e.path.join('.')),
      ['security.trusted_identities'],
    );
    assert.equal(plan.issuer, undefined);
  });
});
