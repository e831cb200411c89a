import type { Verdict } from '../../policy/decision.ts';
import { describeChain } from '../../policy/delegation.ts';
import type { Signer } from '../../policy/trust-match.ts';
import { signerLabel } from './model.ts';

/**
 * Every signer of a package as the report names them — the one the verdict
 * names first, then each other valid signature's, once — and the delegations
 * a delegate among them signs through ("bob@… — delegated by alice@… for
 * @acme/* until …"). A co-signed package has several; an unsigned one none.
 */
export function signersOfVerdict(
  verdict: Pick<Verdict, 'signatures'>,
  principal: Signer | undefined,
): { signers: string[]; delegations: string[] } {
  const signers: string[] = [];
  const delegations: string[] = [];
  const first = signerLabel(principal);
  if (first) signers.push(first);
  for (const judged of verdict.signatures) {
    if (judged.check.state !== 'valid') continue;
    const label = signerLabel(judged.check.signer)!;
    if (!signers.includes(label)) signers.push(label);
    if (judged.standing.state === 'delegated') {
      const words = `${label} — ${describeChain(judged.standing.links)}`;
      if (!delegations.includes(words)) delegations.push(words);
    }
  }
  return { signers, delegations };
}
