import { stringify } from 'yaml';
import { addToListEdit } from './edit.ts';
import type { ConfigEdit } from './edit.ts';
import type { SecuritySettings } from './settings.ts';
import { entryText, exactPatternFor, parseGithubWorkflowUri, parseGitlabProjectPath } from '../policy/identity.ts';
import type { TrustedIdentity } from '../policy/identity.ts';
import type { Signer } from '../policy/trust-match.ts';

/** One way to trust a signer: the entry, the list it goes in, and what it trusts in words. */
export interface TrustOption {
  /** The entry as one line of text (what pickers and hovers show). */
  label: string;
  detail: string;
  list: 'trusted_identities' | 'trusted_keys';
  value: TrustedIdentity;
}

/**
 * The entries that would trust `signer`, the narrowest first. The exact
 * identity is pinned to the issuer it was seen with: the same address at
 * another OIDC provider is another account, and `allowed_issuers` is empty
 * (any issuer) by default.
 */
export function trustOptionsFor(signer: Signer): TrustOption[] {
  if (signer.type === 'gpg') {
    return [
      {
        label: signer.fingerprint,
        detail: `this OpenPGP key by its full fingerprint${signer.userIds[0] ? ` (${signer.userIds[0]})` : ''}`,
        list: 'trusted_keys',
        value: signer.fingerprint,
      },
    ];
  }
  const options: TrustOption[] = [];
  const exact = exactPatternFor(signer.identity);
  if (exact) {
    const value: TrustedIdentity = signer.identity.issuer ? { identity: exact, issuer: signer.identity.issuer } : exact;
    options.push({
      label: entryText(value),
      detail: signer.identity.issuer ? 'exactly this identity, and only from this issuer' : 'exactly this identity',
      list: 'trusted_identities',
      value,
    });
  }
  // These patterns name their issuer themselves (GitHub Actions, GitLab CI).
  const github = parseGithubWorkflowUri(signer.identity.san);
  if (github)
    options.push({
      label: `github:${github.owner}/${github.repo}`,
      detail: 'any workflow of this GitHub repository',
      list: 'trusted_identities',
      value: `github:${github.owner}/${github.repo}`,
    });
  const gitlab = parseGitlabProjectPath(signer.identity.san);
  if (gitlab)
    options.push({
      label: `gitlab:${gitlab}`,
      detail: 'any pipeline of this GitLab project',
      list: 'trusted_identities',
      value: `gitlab:${gitlab}`,
    });
  return options;
}

/** The config file a trust entry goes into, as it is now. */
export interface TrustTarget {
  layer: 'project' | 'global';
  /** The file's parsed content (undefined: missing or empty). */
  value: Record<string, unknown> | undefined;
  /** The settings in effect: a project file that lacks a list starts from these. */
  effective: SecuritySettings;
}

/**
 * The edits that make `signer` trusted with `option` in `target`. Lists
 * replace each other when configs merge, so a project list is started from
 * the entries in effect: adding one signer must not drop the global ones. A
 * signer whose issuer `allowed_issuers` excludes gets its issuer added too.
 */
export function trustEditsFor(signer: Signer, option: TrustOption, target: TrustTarget): ConfigEdit[] {
  const add = (list: 'trusted_identities' | 'trusted_keys' | 'allowed_issuers', value: TrustedIdentity) =>
    addToListEdit(target.value, target.layer === 'project' ? target.effective[list] : [], ['security', list], value);
  const edits = [add(option.list, option.value)];
  const allowed = target.effective.allowed_issuers;
  if (
    signer.type === 'sigstore' &&
    signer.identity.issuer &&
    allowed.length > 0 &&
    !allowed.includes(signer.identity.issuer)
  )
    edits.push(add('allowed_issuers', signer.identity.issuer));
  return edits;
}

/** The YAML that an option adds, as the user is shown it before it is written. */
export function entryPreview(option: TrustOption): string {
  return stringify({ security: { [option.list]: [option.value] } }, { lineWidth: 0 }).trimEnd();
}

/** Why writing trust into the project file deserves a second look. */
export const PROJECT_TRUST_WARNING =
  'The project config is shared with everyone who clones this project. An entry the global policy does not have widens whom it trusts: it is flagged as weakening your global policy, and it is ignored in Restricted Mode.';
