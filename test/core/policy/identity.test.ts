import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  GITHUB_ACTIONS_ISSUER,
  GITLAB_ISSUER,
  matchesIdentity,
  normalizeFingerprint,
  overBroadReason,
  parseIdentityPattern,
} from '../../../src/core/policy/identity.ts';
import type { IdentityPattern, SignerIdentity } from '../../../src/core/policy/identity.ts';

function pattern(raw: string): IdentityPattern {
  const parsed = parseIdentityPattern(raw);
  assert.ok(parsed.ok, `expected "${raw}" to parse: ${parsed.ok ? '' : parsed.reason}`);
  return parsed.pattern;
}
const email = (san: string, issuer = 'https://accounts.example.com'): SignerIdentity => ({
  san,
  sanType: 'email',
  issuer,
});
const uri = (san: string, issuer: string): SignerIdentity => ({ san, sanType: 'uri', issuer });

describe('identity pattern: exact email', () => {
  const p = pattern('alice@example.com');
  it('matches the same address in any ASCII letter case', () => {
    assert.ok(matchesIdentity(p, email('alice@example.com')));
    assert.ok(matchesIdentity(p, email('ALICE@Example.COM')));
  });
  it('does not match other addresses, subdomains or suffix domains', () => {
    for (const san of [
      'bob@example.com',
      'alice@sub.example.com',
      'alice@example.com.evil.io',
      'alice@example.co',
      'xalice@example.com',
      'alice@example.com.',
    ]) {
      assert.equal(matchesIdentity(p, email(san)), false, san);
    }
  });
  it('does not match a URI SAN that looks like the address', () => {
    assert.equal(matchesIdentity(p, { san: 'alice@example.com', sanType: 'uri', issuer: undefined }), false);
  });
  it('does not fold Unicode look-alikes (Kelvin sign, dotless i, fullwidth) into ASCII', () => {
    const k = pattern('kim@example.com');
    assert.equal(matchesIdentity(k, email('\u212Aim@example.com')), false);
    assert.equal(matchesIdentity(p, email('al\u0131ce@example.com')), false);
    assert.equal(matchesIdentity(p, email('alice@ex\uff41mple.com')), false);
  });
  it('does not decode URL-encoded characters', () => {
    assert.equal(matchesIdentity(p, email('alice%40example.com@evil.io')), false);
    assert.equal(matchesIdentity(p, email('alice@example%2ecom')), false);
  });
});

describe('identity pattern: *@domain', () => {
  const p = pattern('*@example.com');
  it('matches any address at exactly the domain', () => {
    assert.ok(matchesIdentity(p, email('x@example.com')));
    assert.ok(matchesIdentity(p, email('Someone.Else@EXAMPLE.com')));
  });
  it('rejects subdomains, suffix domains, trailing dots and look-alikes', () => {
    for (const san of [
      'x@sub.example.com',
      'x@example.com.evil.io',
      'x@evilexample.com',
      'x@example.com.',
      'x@example.co',
      'x@examp\u0131e.com',
      'example.com',
    ]) {
      assert.equal(matchesIdentity(p, email(san)), false, san);
    }
  });
  it('only matches email SANs', () => {
    assert.equal(matchesIdentity(p, uri('https://x@example.com', 'https://issuer')), false);
  });
});

describe('identity pattern: github:OWNER[/REPO]', () => {
  const workflow = (path: string) =>
    uri(`https://github.com/${path}/.github/workflows/release.yml@refs/heads/main`, GITHUB_ACTIONS_ISSUER);
  it('github:OWNER matches workflows of any repository of the owner', () => {
    const p = pattern('github:acme');
    assert.ok(matchesIdentity(p, workflow('acme/tools')));
    assert.ok(matchesIdentity(p, workflow('ACME/other')));
  });
  it('github:OWNER/REPO matches only that repository', () => {
    const p = pattern('github:acme/tools');
    assert.ok(matchesIdentity(p, workflow('acme/tools')));
    assert.equal(matchesIdentity(p, workflow('acme/tools-evil')), false);
    assert.equal(matchesIdentity(p, workflow('acme/other')), false);
  });
  it('rejects owner prefixes, other issuers, encoded slashes and non-GitHub hosts', () => {
    const p = pattern('github:acme');
    assert.equal(matchesIdentity(p, workflow('acme-evil/tools')), false);
    assert.equal(matchesIdentity(p, workflow('acmeevil/tools')), false);
    assert.equal(
      matchesIdentity(
        p,
        uri(
          'https://github.com/acme/tools/.github/workflows/r.yml@refs/heads/main',
          'https://token.actions.githubusercontent.com.evil.io',
        ),
      ),
      false,
    );
    assert.equal(
      matchesIdentity(
        p,
        uri('https://github.com/acme%2Fevil/tools/.github/workflows/r.yml@refs/heads/main', GITHUB_ACTIONS_ISSUER),
      ),
      false,
    );
    assert.equal(
      matchesIdentity(
        p,
        uri('https://github.com.evil.io/acme/tools/.github/workflows/r.yml@refs/heads/main', GITHUB_ACTIONS_ISSUER),
      ),
      false,
    );
    assert.equal(matchesIdentity(p, email('acme@github.com', GITHUB_ACTIONS_ISSUER)), false);
  });
});

describe('identity pattern: gitlab:GROUP[/PROJECT]', () => {
  const pipeline = (path: string) => uri(`https://gitlab.com/${path}//.gitlab-ci.yml@refs/heads/main`, GITLAB_ISSUER);
  it('gitlab:GROUP matches projects in the group and its subgroups', () => {
    const p = pattern('gitlab:acme');
    assert.ok(matchesIdentity(p, pipeline('acme/tools')));
    assert.ok(matchesIdentity(p, pipeline('acme/sub/tools')));
    assert.equal(matchesIdentity(p, pipeline('acme-evil/tools')), false);
  });
  it('gitlab:GROUP/PROJECT matches only that project', () => {
    const p = pattern('gitlab:acme/tools');
    assert.ok(matchesIdentity(p, pipeline('acme/tools')));
    assert.equal(matchesIdentity(p, pipeline('acme/tools/sub')), false);
    assert.equal(matchesIdentity(p, pipeline('acme/tools2')), false);
  });
  it('requires the GitLab issuer', () => {
    assert.equal(
      matchesIdentity(
        pattern('gitlab:acme'),
        uri('https://gitlab.com/acme/tools//.gitlab-ci.yml@refs/heads/main', 'https://gitlab.example.com'),
      ),
      false,
    );
  });
});

describe('identity pattern: exact URI', () => {
  const raw = 'https://github.com/acme/tools/.github/workflows/release.yml@refs/heads/main';
  it('matches only the identical URI', () => {
    const p = pattern(raw);
    assert.ok(matchesIdentity(p, uri(raw, GITHUB_ACTIONS_ISSUER)));
    assert.equal(matchesIdentity(p, uri(`${raw}x`, GITHUB_ACTIONS_ISSUER)), false);
    assert.equal(matchesIdentity(p, uri(raw.replace('acme', 'ACME'), GITHUB_ACTIONS_ISSUER)), false);
  });
});

describe('identity pattern parsing', () => {
  it('rejects wildcards, regexes, empty and padded entries with a reason', () => {
    for (const raw of [
      '*',
      '*@*',
      'alice@*',
      'a*@example.com',
      '.*@example.com$',
      '',
      ' alice@example.com',
      'github:',
      'github:a/b/c',
      'http://example.com/x',
      'alice@example.com.',
      'bob@ex\u0430mple.com',
    ]) {
      const parsed = parseIdentityPattern(raw);
      assert.equal(parsed.ok, false, `"${raw}" should be rejected`);
      if (!parsed.ok) assert.ok(parsed.reason.length > 0);
    }
  });
  it('flags public mail domains as over-broad', () => {
    assert.match(overBroadReason(pattern('*@gmail.com')) ?? '', /public mail provider/);
    assert.equal(overBroadReason(pattern('*@example.com')), undefined);
  });
});

describe('OpenPGP fingerprints', () => {
  it('normalises spaces and case', () => {
    assert.equal(
      normalizeFingerprint('abcd 1234 ef56 7890 abcd  1234 ef56 7890 abcd 1234'),
      'ABCD1234EF567890ABCD1234EF567890ABCD1234',
    );
  });
  it('refuses short key ids', () => {
    assert.equal(normalizeFingerprint('ABCD1234EF567890'), undefined);
    assert.equal(normalizeFingerprint('ABCD1234'), undefined);
  });
});
