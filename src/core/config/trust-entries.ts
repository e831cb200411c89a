import { Document } from 'yaml';
import { addToListEdit } from './edit.ts';
import type { ConfigEdit } from './edit.ts';
import type { SecuritySettings } from './settings.ts';
import {
  entryText,
  exactPatternFor,
  GITHUB_ACTIONS_ISSUER,
  GITLAB_ISSUER,
  githubRepositoryOf,
  gitlabProjectOf,
  isTrustedIdentity,
  parseGithubWorkflowUri,
  parseGitlabProjectPath,
  parseIdentityPattern,
  patternOf,
  pinnedIssuerOf,
} from '../policy/identity.ts';
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
  // Whose run signed (the source repository), which is what the patterns match: not a reusable workflow's home.
  const github = parseGithubWorkflowUri(signer.identity.san) && githubRepositoryOf(signer.identity);
  if (github)
    options.push({
      label: `github:${github.owner}/${github.repo}`,
      detail: 'any workflow run of this GitHub repository',
      list: 'trusted_identities',
      value: `github:${github.owner}/${github.repo}`,
    });
  const gitlab = parseGitlabProjectPath(signer.identity.san) && gitlabProjectOf(signer.identity);
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
 * signer whose issuer `allowed_issuers` excludes gets its issuer added too:
 * SPEC checks that list for every entry, pinned or not, so the new entry
 * would match nothing without it. That widens other entries as well, which
 * `trustPlanFor` spells out before anything is written.
 */
export function trustEditsFor(signer: Signer, option: TrustOption, target: TrustTarget): ConfigEdit[] {
  const add = (list: 'trusted_identities' | 'trusted_keys' | 'allowed_issuers', value: TrustedIdentity) =>
    addToListEdit(target.value, target.layer === 'project' ? target.effective[list] : [], ['security', list], value);
  const edits = [add(option.list, option.value)];
  const allowed = target.effective.allowed_issuers;
  // A global file without the list allows any issuer: starting one there would narrow every other project.
  const security = target.value?.security as Record<string, unknown> | undefined;
  const own =
    target.layer === 'project' || (Array.isArray(security?.allowed_issuers) && security.allowed_issuers.length > 0);
  if (
    signer.type === 'sigstore' &&
    signer.identity.issuer &&
    allowed.length > 0 &&
    !allowed.includes(signer.identity.issuer) &&
    own
  )
    edits.push(add('allowed_issuers', signer.identity.issuer));
  return edits;
}

/**
 * What "Trust this signer" writes, as the user confirms it. The preview is
 * made from the edits themselves, so nothing is written that was not shown.
 */
export interface TrustPlan {
  edits: ConfigEdit[];
  /** The YAML the edits write under `security:`: the entries added, or a whole list where the file starts one. */
  preview: string;
  /**
   * Set when `allowed_issuers` grows. That list is checked for every entry,
   * so the issuer opens more than the new one: `opens` are the entries in
   * effect (or in the file) that now accept certificates from `added`.
   */
  issuer: { added: string; opens: TrustedIdentity[] } | undefined;
}

export function trustPlanFor(signer: Signer, option: TrustOption, target: TrustTarget): TrustPlan {
  const edits = trustEditsFor(signer, option, target);
  const added = signer.type === 'sigstore' ? signer.identity.issuer : undefined;
  const grows = added !== undefined && edits.some((e) => e.path.at(-1) === 'allowed_issuers');
  return {
    edits,
    preview: previewOf(edits),
    issuer: grows ? { added, opens: entriesOpenedTo(added, option, target) } : undefined,
  };
}

function previewOf(edits: readonly ConfigEdit[]): string {
  const doc = new Document({});
  for (const edit of edits) {
    if (edit.op !== 'set' && edit.op !== 'add-to-list') continue;
    const node = doc.createNode(edit.op === 'set' ? edit.value : [edit.value]);
    if (edit.op === 'set')
      node.commentBefore = ' the whole list: this file did not have one, and its list replaces the global one';
    doc.setIn(edit.path, node);
  }
  return doc.toString({ lineWidth: 0 }).trimEnd();
}

/** The entries, other than the new one, that match nothing from `issuer` today only because it is not allowed. */
function entriesOpenedTo(issuer: string, option: TrustOption, target: TrustTarget): TrustedIdentity[] {
  const security = target.value?.security;
  const inFile =
    security && typeof security === 'object' ? (security as Record<string, unknown>).trusted_identities : [];
  const entries = [...target.effective.trusted_identities, ...(Array.isArray(inFile) ? inFile : [])];
  const seen = new Set([JSON.stringify(option.value)]);
  return entries.filter((entry): entry is TrustedIdentity => {
    const key = JSON.stringify(entry);
    if (seen.has(key) || !isTrustedIdentity(entry)) return false;
    seen.add(key);
    return admitsIssuer(entry, issuer);
  });
}

/** Whether `entry` can match a certificate from `issuer` (a pinned entry or a CI pattern names its own). */
function admitsIssuer(entry: TrustedIdentity, issuer: string): boolean {
  const parsed = parseIdentityPattern(patternOf(entry));
  if (!parsed.ok) return false;
  const pinned = pinnedIssuerOf(entry);
  if (pinned !== undefined) return pinned === issuer;
  if (parsed.pattern.kind === 'github') return issuer === GITHUB_ACTIONS_ISSUER;
  if (parsed.pattern.kind === 'gitlab') return issuer === GITLAB_ISSUER;
  return true;
}

/** Fills `{0}`-style holes, as `vscode.l10n.t` does: the CLI and the editor share one wording. */
export type Words = (message: string, ...args: string[]) => string;

const plainWords: Words = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (hole, n: string) => args[Number(n)] ?? hole);

/** What the issuer added to `allowed_issuers` lets in besides this signer; undefined when that list does not grow. */
export function issuerNote(plan: TrustPlan, t: Words = plainWords): string | undefined {
  if (!plan.issuer) return undefined;
  const { added, opens } = plan.issuer;
  if (opens.length === 0)
    return t('This also adds {0} to allowed_issuers. No other entry in effect accepts certificates from it.', added);
  return t(
    'This also adds {0} to allowed_issuers, which every trusted identity is checked against. These entries then accept certificates from {0} as well, not only this signer:\n{1}\nTo keep them to the issuers they accept now, pin each to its issuer (identity: PATTERN, issuer: URL) before trusting this signer.',
    added,
    opens.map((entry) => `  - ${entryText(entry)}`).join('\n'),
  );
}

/** Why writing trust into the project file deserves a second look. */
export const PROJECT_TRUST_WARNING =
  'The project config is shared with everyone who clones this project. An entry the global policy does not have widens whom it trusts: it is flagged as weakening your global policy, and it is ignored in Restricted Mode.';
