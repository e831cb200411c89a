import type { SignatureCheck } from './checks.ts';
import type { JudgedSignature } from './delegation.ts';
import {
  githubRepositoryOf,
  gitlabProjectOf,
  normalizedIdentity,
  parseGithubWorkflowUri,
  parseGitlabProjectPath,
  pinnedIssuerOf,
} from './identity.ts';
import type { SignerIdentity } from './identity.ts';
import type { SecurityPolicy } from './policy.ts';
import { findTrust, signerKeyOf } from './trust-match.ts';
import type { Signer } from './trust-match.ts';

/**
 * Who counts as one signer toward `signature_threshold` (SPEC §2: "how many
 * distinct trusted signers"); a second signature by the same signer adds nobody.
 *
 * An OpenPGP signer is its primary key. A Sigstore signer is its identity as
 * trust matching compares it (`Alice@Example.com` is `alice@example.com`,
 * `github.com/ACME/tool` is `github.com/acme/tool`): a difference the matcher
 * ignores never makes a second signer.
 *
 * A delegate's signature counts for the trusted signer at the top of its
 * delegation chain, not for the delegate: otherwise one trusted signer who
 * delegates to a second identity of their own meets a threshold of 2 alone.
 * A delegate trusted through several signers' delegations counts for
 * whichever of them is not counted already (a matching of signers to the
 * trusted signers they count for, so the order of the signatures never
 * changes the count), and once: a delegate that two trusted signers vouch
 * for, signing twice, is still one signer (as in TUF, a delegated key never
 * adds to a threshold more than the one key it is).
 *
 * A CI workload (a GitHub Actions workflow, a GitLab CI pipeline) is its
 * repository (project): whoever may push to it runs any of its workflows, at
 * any branch or tag, so two workflows or two refs of one repository are one
 * signer — else push access to one repository would meet a threshold of 2.
 *
 * The issuer: the same address at another OIDC issuer is another account, and
 * a policy says it means that account by pinning the issuer (a `{identity,
 * issuer}` entry). An unpinned entry trusts the address whichever issuer
 * vouches for it, so it stands for one signer however many issuers sign as
 * it — else whoever has the address verified at two issuers would meet a
 * threshold of 2 alone. So a signer counts once per distinct issuer it is
 * pinned to, and once if none is pinned.
 */
export function distinctSigners(judged: readonly JudgedSignature[], policy: SecurityPolicy): JudgedSignature[] {
  const options = judged.map((j) => countsFor(j).map((signer) => place(signer, policy)));
  // Each signer's places: one per pinned issuer met, or one unpinned place when none is.
  const pins = new Map<string, Set<string>>();
  for (const { group, pin } of options.flat()) {
    const set = pins.get(group) ?? new Set<string>();
    if (pin !== undefined) set.add(pin);
    pins.set(group, set);
  }
  const slotsOf = ({ group, pin }: Place): string[] => {
    const pinned = pins.get(group)!;
    if (pin !== undefined) return [`${group}\n${pin}`];
    return pinned.size > 0 ? [...pinned].map((p) => `${group}\n${p}`) : [`${group}\n`];
  };
  const slots = options.map((places) => [...new Set(places.flatMap(slotsOf))]);
  // Who made each signature, placed as a signer is: one signer fills one slot at most, however many signatures it
  // made and however many trusted signers delegate to it. The matching is of these makers to slots.
  const makerOf = judged.map((j) => {
    const { group, pin } = place((j.check as Extract<SignatureCheck, { state: 'valid' }>).signer, policy);
    return `${group}\n${pin ?? ''}`;
  });
  const makers = [...new Set(makerOf)];
  const makerSlots = makers.map((m) => [...new Set(slots.flatMap((own, i) => (makerOf[i] === m ? own : [])))]);
  const holder = new Map<string, number>();
  const assign = (i: number, tried: Set<string>): boolean => {
    for (const slot of makerSlots[i]!) {
      if (tried.has(slot)) continue;
      tried.add(slot);
      const other = holder.get(slot);
      if (other === undefined || assign(other, tried)) {
        holder.set(slot, i);
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < makers.length; i += 1) assign(i, new Set());
  // Each maker's signature that fills its slot (the first that can).
  const counted = new Set(
    [...holder].map(([slot, m]) => judged.findIndex((_, i) => makerOf[i] === makers[m] && slots[i]!.includes(slot))),
  );
  return judged.filter((_, i) => counted.has(i));
}

/** The signers a judged signature may count for: a delegate's chain tops, else its own signer. */
export function countsFor(j: JudgedSignature): Signer[] {
  if (j.standing.state === 'delegated') return j.standing.roots;
  return [(j.check as Extract<SignatureCheck, { state: 'valid' }>).signer];
}

interface Place {
  group: string;
  pin: string | undefined;
}

/** Where a signer counts: its identity as matching compares it, and the issuer an entry pins it to, if one does. */
function place(signer: Signer, policy: SecurityPolicy): Place {
  if (signer.type !== 'sigstore') return { group: signerKeyOf(signer), pin: undefined };
  const group = `sigstore:${workloadOf(signer.identity) ?? normalizedIdentity(signer.identity)}`;
  const pinnedEntries = policy.trusted_identities.filter((e) => pinnedIssuerOf(e) !== undefined);
  const pinned = findTrust(signer, { trusted_identities: pinnedEntries, trusted_keys: [] });
  return { group, pin: pinned ? (signer.identity.issuer ?? '') : undefined };
}

/** The repository (project) whose GitHub Actions or GitLab CI run signed; undefined for any other identity. */
function workloadOf(identity: SignerIdentity): string | undefined {
  if (identity.sanType !== 'uri') return undefined;
  if (parseGithubWorkflowUri(identity.san)) {
    const github = githubRepositoryOf(identity);
    return github && `github-repository:${github.owner}/${github.repo}`;
  }
  if (parseGitlabProjectPath(identity.san) === undefined) return undefined;
  const gitlab = gitlabProjectOf(identity);
  return gitlab && `gitlab-project:${gitlab}`;
}
