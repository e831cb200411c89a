/** The identity a Sigstore certificate vouches for: its SAN and OIDC issuer. */
export interface SignerIdentity {
  san: string;
  sanType: 'email' | 'uri' | 'other';
  issuer: string | undefined;
  /**
   * A CI run's repository (Fulcio's Source Repository URI, 1.3.6.1.4.1.57264.1.12): whose run signed, where
   * the SAN names the workflow file that ran, which for a reusable workflow is another repository's.
   */
  sourceRepository?: string | undefined;
}

/**
 * A `trusted_identities` entry: a pattern, or a pattern pinned to the OIDC
 * issuer it must come from (what "Trust this signer" writes: the same address
 * at another issuer is another account).
 */
export type TrustedIdentity = string | { identity: string; issuer: string };

export function isTrustedIdentity(value: unknown): value is TrustedIdentity {
  if (typeof value === 'string') return true;
  const v = value as { identity?: unknown; issuer?: unknown } | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.identity === 'string' &&
    typeof v.issuer === 'string' &&
    Object.keys(v).length === 2
  );
}

/** The pattern part of an entry. */
export function patternOf(entry: TrustedIdentity): string {
  return typeof entry === 'string' ? entry : entry.identity;
}

/** The issuer an entry is pinned to, if it is. */
export function pinnedIssuerOf(entry: TrustedIdentity): string | undefined {
  return typeof entry === 'string' ? undefined : entry.issuer;
}

/** An entry as one line of text: `alice@example.com`, or `alice@example.com (issuer https://…)`. */
export function entryText(entry: TrustedIdentity): string {
  return typeof entry === 'string' ? entry : `${entry.identity} (issuer ${entry.issuer})`;
}

/** A parsed `trusted_identities` pattern. */
export type IdentityPattern =
  | { kind: 'email'; email: string }
  | { kind: 'email-domain'; domain: string }
  | { kind: 'github'; owner: string; repo: string | undefined }
  | { kind: 'gitlab'; path: string; isProject: boolean }
  | { kind: 'uri'; uri: string };

export type ParsedPattern = { ok: true; pattern: IdentityPattern } | { ok: false; reason: string };

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
export const GITLAB_ISSUER = 'https://gitlab.com';

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`);
const LOCAL_PART = /^[a-z0-9!#$%&'+\-/=?^_`{|}~.]{1,64}$/;
const GITHUB_OWNER = /^[a-z0-9](?:[a-z0-9-]{0,38})$/i;
const GITHUB_REPO = /^[a-z0-9._-]{1,100}$/i;
const GITLAB_SEGMENT = /^[a-z0-9_.][a-z0-9_.-]{0,254}$/i;

/**
 * Case folding for identities: ASCII letters only. `String#toLowerCase` would
 * fold look-alikes such as the Kelvin sign (U+212A) into `k`, turning a
 * forged address into a trusted one.
 */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

export function parseIdentityPattern(raw: string): ParsedPattern {
  if (raw !== raw.trim()) return fail('has leading or trailing spaces');
  if (raw.length === 0) return fail('is empty');
  if (/[^\x21-\x7e]/.test(raw))
    return fail('contains non-ASCII or control characters; write the identity exactly as the certificate carries it');
  if (raw.startsWith('github:')) return parseGithub(raw.slice('github:'.length));
  if (raw.startsWith('gitlab:')) return parseGitlab(raw.slice('gitlab:'.length));
  if (raw.startsWith('https://')) return parseUri(raw);
  if (raw.startsWith('http://')) return fail('uses http://; certificate identities are https:// URIs');
  if (raw.includes('@')) return parseEmail(raw);
  if (raw.includes('*')) return fail('uses a wildcard outside "*@domain"; only a whole-domain wildcard is supported');
  return fail('is not an email, "*@domain", "github:OWNER[/REPO]", "gitlab:GROUP[/PROJECT]" or https:// URI');
}

function parseEmail(raw: string): ParsedPattern {
  const at = raw.lastIndexOf('@');
  const local = raw.slice(0, at);
  const domain = asciiLower(raw.slice(at + 1));
  if (domain.includes('*'))
    return fail('uses a wildcard in the domain; only "*@domain" with an exact domain is supported');
  if (domain.endsWith('.')) return fail('ends the domain with a dot; write the domain without it');
  if (!DOMAIN.test(domain)) return fail(`has an invalid domain "${domain}"`);
  if (local === '*') return { ok: true, pattern: { kind: 'email-domain', domain } };
  if (local.includes('*')) return fail('uses a wildcard inside the address; only "*@domain" is supported');
  if (!LOCAL_PART.test(asciiLower(local)) || local.includes('@')) return fail(`has an invalid address "${raw}"`);
  return { ok: true, pattern: { kind: 'email', email: `${asciiLower(local)}@${domain}` } };
}

function parseGithub(rest: string): ParsedPattern {
  const [owner, repo, extra] = rest.split('/');
  if (extra !== undefined) return fail('has too many parts; use github:OWNER or github:OWNER/REPO');
  if (!owner || !GITHUB_OWNER.test(owner)) return fail(`has an invalid GitHub owner "${owner ?? ''}"`);
  if (repo !== undefined && !GITHUB_REPO.test(repo)) return fail(`has an invalid GitHub repository "${repo}"`);
  return {
    ok: true,
    pattern: { kind: 'github', owner: asciiLower(owner), repo: repo === undefined ? undefined : asciiLower(repo) },
  };
}

function parseGitlab(rest: string): ParsedPattern {
  const segments = rest.split('/');
  if (segments.some((s) => !GITLAB_SEGMENT.test(s))) return fail(`has an invalid GitLab path "${rest}"`);
  return { ok: true, pattern: { kind: 'gitlab', path: asciiLower(rest), isProject: segments.length > 1 } };
}

function parseUri(raw: string): ParsedPattern {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail('is not a valid URI');
  }
  if (!url.hostname) return fail('has no host');
  return { ok: true, pattern: { kind: 'uri', uri: raw } };
}

function fail(reason: string): ParsedPattern {
  return { ok: false, reason };
}

/** Whether `identity` is one that `pattern` trusts. Exact and anchored; never substring. */
export function matchesIdentity(pattern: IdentityPattern, identity: SignerIdentity): boolean {
  switch (pattern.kind) {
    case 'email':
      return identity.sanType === 'email' && asciiLower(identity.san) === pattern.email;
    case 'email-domain': {
      if (identity.sanType !== 'email') return false;
      const at = identity.san.lastIndexOf('@');
      return at > 0 && asciiLower(identity.san.slice(at + 1)) === pattern.domain;
    }
    case 'github': {
      if (identity.sanType !== 'uri' || identity.issuer !== GITHUB_ACTIONS_ISSUER) return false;
      const repository = githubRepositoryOf(identity);
      if (!repository) return false;
      return repository.owner === pattern.owner && (pattern.repo === undefined || repository.repo === pattern.repo);
    }
    case 'gitlab': {
      if (identity.sanType !== 'uri' || identity.issuer !== GITLAB_ISSUER) return false;
      const project = gitlabProjectOf(identity);
      if (!project) return false;
      return pattern.isProject ? project === pattern.path : project.startsWith(`${pattern.path}/`);
    }
    case 'uri':
      return identity.sanType === 'uri' && identity.san === pattern.uri;
  }
}

/**
 * The repository whose GitHub Actions run signed, lowercased: the certificate's source repository where it
 * names one, else the SAN's (a run of REPO's own workflow). A reusable workflow's SAN names the repository
 * that holds it, not the one that ran it: `github:OWNER/REPO` means runs of REPO (spec3-review B).
 */
export function githubRepositoryOf(identity: SignerIdentity): { owner: string; repo: string } | undefined {
  if (identity.sourceRepository === undefined) return parseGithubWorkflowUri(identity.san);
  const match = /^https:\/\/github\.com\/([^/@]+)\/([^/@]+)$/.exec(identity.sourceRepository);
  if (!match || !GITHUB_OWNER.test(match[1]!) || !GITHUB_REPO.test(match[2]!)) return undefined;
  return { owner: asciiLower(match[1]!), repo: asciiLower(match[2]!) };
}

/** The GitLab project whose pipeline signed: the certificate's source repository, else the SAN's. */
export function gitlabProjectOf(identity: SignerIdentity): string | undefined {
  if (identity.sourceRepository === undefined) return parseGitlabProjectPath(identity.san);
  const match = /^https:\/\/gitlab\.com\/([^@]+)$/.exec(identity.sourceRepository);
  const path = match?.[1];
  return path && path.split('/').every((segment) => GITLAB_SEGMENT.test(segment)) ? asciiLower(path) : undefined;
}

/** `https://github.com/OWNER/REPO/<workflow path>@<ref>` → owner and repo, lowercased. */
export function parseGithubWorkflowUri(san: string): { owner: string; repo: string } | undefined {
  const match = /^https:\/\/github\.com\/([^/@]+)\/([^/@]+)\/[^@]+@.+$/.exec(san);
  if (!match || !GITHUB_OWNER.test(match[1]!) || !GITHUB_REPO.test(match[2]!)) return undefined;
  return { owner: asciiLower(match[1]!), repo: asciiLower(match[2]!) };
}

/** `https://gitlab.com/GROUP/PROJECT//<config path>@<ref>` → the project path, lowercased. */
export function parseGitlabProjectPath(san: string): string | undefined {
  const match = /^https:\/\/gitlab\.com\/([^@]+?)\/\/[^@]+@.+$/.exec(san);
  if (!match) return undefined;
  const path = match[1]!;
  if (!path.split('/').every((segment) => GITLAB_SEGMENT.test(segment))) return undefined;
  return asciiLower(path);
}

/**
 * An identity as trust matching tells identities apart: an email folded to
 * ASCII lower case, a GitHub or GitLab workflow URI with its owner/repository
 * (project path) lowered; any other URI exact, as patterns match it.
 */
export function normalizedIdentity(identity: SignerIdentity): string {
  const { san, sanType } = identity;
  if (sanType === 'email') return `email:${asciiLower(san)}`;
  if (sanType !== 'uri') return `${sanType}:${san}`;
  const github = parseGithubWorkflowUri(san);
  if (github)
    return `uri:${san.replace(/^https:\/\/github\.com\/[^/@]+\/[^/@]+\//, () => `https://github.com/${github.owner}/${github.repo}/`)}`;
  const gitlab = parseGitlabProjectPath(san);
  if (gitlab) return `uri:${san.replace(/^https:\/\/gitlab\.com\/[^@]+?\/\//, () => `https://gitlab.com/${gitlab}//`)}`;
  return `uri:${san}`;
}

/** What a pattern trusts, in words (for hovers and the effective-policy view). */
export function describePattern(pattern: IdentityPattern): string {
  switch (pattern.kind) {
    case 'email':
      return `certificates whose email is exactly ${pattern.email} (any letter case)`;
    case 'email-domain':
      return `any email address at exactly ${pattern.domain} (not its subdomains, not look-alike domains)`;
    case 'github':
      return pattern.repo === undefined
        ? `GitHub Actions workflows in any repository of ${pattern.owner} (issuer ${GITHUB_ACTIONS_ISSUER})`
        : `GitHub Actions workflows of the repository ${pattern.owner}/${pattern.repo} (issuer ${GITHUB_ACTIONS_ISSUER})`;
    case 'gitlab':
      return pattern.isProject
        ? `GitLab CI pipelines of the project ${pattern.path} (issuer ${GITLAB_ISSUER})`
        : `GitLab CI pipelines of any project in the group ${pattern.path} (issuer ${GITLAB_ISSUER})`;
    case 'uri':
      return `certificates whose URI identity is exactly ${pattern.uri}`;
  }
}

const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'mail.com',
  'mail.ru',
  'yandex.ru',
  'yandex.com',
  'qq.com',
  '163.com',
  '126.com',
  'zoho.com',
  'fastmail.com',
  'tutanota.com',
  'hey.com',
  'users.noreply.github.com',
]);

/** Why a valid pattern trusts far more signers than its author likely meant, if it does. */
export function overBroadReason(pattern: IdentityPattern): string | undefined {
  if (pattern.kind === 'email-domain' && PUBLIC_MAIL_DOMAINS.has(pattern.domain)) {
    return `"*@${pattern.domain}" trusts everyone with an address at ${pattern.domain}, a public mail provider; list the exact addresses you trust`;
  }
  return undefined;
}

/** A fingerprint without spaces, in upper case; undefined when it is not 40 hex digits. */
export function normalizeFingerprint(raw: string): string | undefined {
  const compact = raw.replace(/\s+/g, '').toUpperCase();
  return /^[0-9A-F]{40}$/.test(compact) ? compact : undefined;
}

/** An exact pattern that trusts just this signer, for "Trust this signer". */
export function exactPatternFor(identity: SignerIdentity): string | undefined {
  if (identity.sanType === 'email') return asciiLower(identity.san);
  if (identity.sanType === 'uri' && identity.san.startsWith('https://')) return identity.san;
  return undefined;
}

/**
 * A valid pattern close to an invalid one that was probably meant: a regular
 * expression such as `^.*@example\.com$` becomes `*@example.com`, padding and
 * a trailing dot go. Undefined when nothing safe suggests itself.
 */
export function anchoredSuggestion(raw: string): string | undefined {
  let text = raw.trim().replace(/^\^/, '').replace(/\$$/, '').replace(/\\\./g, '.');
  text = text.replace(/^\.[*+]@/, '*@').replace(/^\(\.\*\)@/, '*@');
  text = text.replace(/\.$/, '');
  if (text === raw || text === '*' || text === '') return undefined;
  return parseIdentityPattern(text).ok ? text : undefined;
}
