import type { LockedPackage } from '../../lockfile/lockfile.ts';
import { describeChain } from '../../policy/delegation.ts';
import type { JudgedSignature } from '../../policy/delegation.ts';
import type { Signer } from '../../policy/trust-match.ts';
import { describeRecorded, keyOfSigner, ranElsewhere, signerKey } from '../../record/continuity.ts';
import type { RecordedSignature } from '../../record/trust-record.ts';

/**
 * The set of signers of a package on one side of a diff: a version may
 * carry several signatures (co-signed, or signed by a delegate), and a
 * review shows every signer, the delegations they sign through, and which
 * signers came or went between two sides.
 */
export interface SignerSet {
  /** Every distinct signer in words, the first first. */
  signers: string[];
  /** The same signers as the record keys them (`sigstore:identity|issuer`, `gpg:FPR`). */
  keys: string[];
  /** The kinds of signature among them, the first first: `sigstore`, `gpg`. */
  kinds: ('sigstore' | 'gpg')[];
  /** The delegations a signer signs through, in words ("bob@… — delegated by alice@… for @acme/* until …"). */
  delegations: string[];
}

/** The set the records name (trust record or lock file), with the delegations the lock file says were used. */
export function setOfRecorded(recorded: readonly RecordedSignature[], entry: LockedPackage | undefined): SignerSet {
  const set = emptySet();
  for (const r of recorded) add(set, recordedKey(r), describeRecorded(r), r.type);
  const locked = entry ? [entry.signature, ...(entry.cosignatures ?? [])] : [];
  for (const lock of locked)
    if (lock?.delegations && lock.delegations.length > 0) {
      const who = lock.identity ?? lock.fingerprint ?? 'a signer';
      set.delegations.push(
        `${who} — through delegation ${lock.delegations.map((id) => id.replace(/^sha256:/, '').slice(0, 12)).join(', ')}`,
      );
    }
  return set;
}

/** The set a verification found: every valid signature, once per signer, and the delegation chains that trusted them. */
export function setOfJudged(judged: readonly JudgedSignature[], fallback: Signer | undefined): SignerSet {
  const set = emptySet();
  for (const j of judged) {
    if (j.check.state !== 'valid') continue;
    const signer = j.check.signer;
    const words = describeSignerAsRecorded(signer);
    if (add(set, judgedKey(signer), words, signer.type) && j.standing.state === 'delegated')
      set.delegations.push(`${words} — ${describeChain(j.standing.links)}`);
  }
  if (set.keys.length === 0 && fallback)
    add(set, judgedKey(fallback), describeSignerAsRecorded(fallback), fallback.type);
  return set;
}

/** A signer in the words the records use, so both sides of a diff read alike. */
export function describeSignerAsRecorded(signer: Signer): string {
  if (signer.type === 'gpg')
    return describeRecorded({ type: 'gpg', digest: '', fingerprint: signer.fingerprint, identity: signer.userIds[0] });
  return describeRecorded({
    type: 'sigstore',
    digest: '',
    identity: signer.identity.san,
    issuer: signer.identity.issuer,
    log_index: signer.tlog?.logIndex,
    source_repository: signer.identity.sourceRepository,
  });
}

/**
 * A signer's key in a diff: the record's, and the repository that ran where it is not the SAN's (one shared
 * reusable workflow gives every calling repository one SAN: diff12-review S2, as continuity.ts judges it).
 */
function recordedKey(r: RecordedSignature): string {
  const elsewhere = r.type === 'sigstore' ? ranElsewhere(r.identity, r.source_repository) : undefined;
  return elsewhere ? `${signerKey(r)}|run:${elsewhere}` : signerKey(r);
}

/**
 * Two sides' signer keys as compared (joined: `unsigned`, or every key sorted; undefined for a side with no
 * signer known), a repository that ran left out where the other side names the same signer without one: a
 * record written before the repository was kept, or a lock file, which never keeps it, is not held to it (as
 * continuity.ts judges; diff13-review T1).
 */
export function comparedKeys(
  before: { signerKey: string | undefined; signerKeys: string[] } | undefined,
  after: { signerKey: string | undefined; signerKeys: string[] } | undefined,
): [{ joined: string; keys: string[] } | undefined, { joined: string; keys: string[] } | undefined] {
  const bare = (key: string) => key.replace(/\|run:[^|]*$/, '');
  const unknownIn = (keys: readonly string[]) => new Set(keys.filter((key) => bare(key) === key));
  const [unknownBefore, unknownAfter] = [unknownIn(before?.signerKeys ?? []), unknownIn(after?.signerKeys ?? [])];
  const side = (of: typeof before, unknownOther: Set<string>) => {
    if (!of?.signerKey) return undefined;
    const keys = of.signerKeys.map((key) => (unknownOther.has(bare(key)) ? bare(key) : key));
    return { joined: of.signerKey === 'unsigned' ? 'unsigned' : [...keys].sort().join(','), keys };
  };
  return [side(before, unknownAfter), side(after, unknownBefore)];
}

function judgedKey(signer: Signer): string {
  const elsewhere =
    signer.type === 'sigstore' ? ranElsewhere(signer.identity.san, signer.identity.sourceRepository) : undefined;
  return elsewhere ? `${keyOfSigner(signer)}|run:${elsewhere}` : keyOfSigner(signer);
}

/** All the signers as one line: "A and B". */
export function setWords(set: SignerSet): string {
  return set.signers.join(' and ');
}

/** The kinds as one line: "sigstore + gpg". */
export function kindWords(set: SignerSet): 'sigstore' | 'gpg' | string {
  return set.kinds.join(' + ');
}

/** The signers one side has and the other lacks, by key, in words. */
export function setChange(
  before: Pick<SignerSet, 'signers' | 'keys'>,
  after: Pick<SignerSet, 'signers' | 'keys'>,
): { added: string[]; removed: string[]; kept: string[] } {
  return {
    added: after.keys.flatMap((k, i) => (before.keys.includes(k) ? [] : [after.signers[i]!])),
    removed: before.keys.flatMap((k, i) => (after.keys.includes(k) ? [] : [before.signers[i]!])),
    kept: after.keys.flatMap((k, i) => (before.keys.includes(k) ? [after.signers[i]!] : [])),
  };
}

function emptySet(): SignerSet {
  return { signers: [], keys: [], kinds: [], delegations: [] };
}

function add(set: SignerSet, key: string, words: string, kind: 'sigstore' | 'gpg'): boolean {
  if (set.keys.includes(key)) return false;
  set.keys.push(key);
  set.signers.push(words);
  if (!set.kinds.includes(kind)) set.kinds.push(kind);
  return true;
}
