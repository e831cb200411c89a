import { rule, verdict } from './verdict.ts';
import type { PolicyContext } from './policy.ts';
import type { Verdict } from './verdict.ts';

/**
 * A package installed with `--no-verify` (seeds: "not recommended"): it ran
 * before anyone checked it, so it says so until it is verified and accepted,
 * whatever it looks like now. What the checks find now is in the message,
 * and a failure now still fails. Where signature problems fail
 * (`on_signature_failure: error`: Strict, Maximum) the state itself fails;
 * otherwise it warns — it never passes quietly.
 */
export function installedUnverified(now: Verdict, marker: { at: string }, context: PolicyContext): Verdict {
  const { policy } = context;
  const strict = policy.on_signature_failure === 'error';
  const passesNow = now.action !== 'fail';
  return verdict(
    'unverified',
    strict || !passesNow ? 'fail' : 'warn',
    'INSTALLED_WITHOUT_VERIFICATION',
    `Installed without verification (--no-verify, ${marker.at}); checked now: ${now.message}`,
    {
      signer: now.signer,
      signatures: now.signatures,
      expected: 'a package verified before it was installed',
      actual: `installed with --no-verify at ${marker.at}`,
      hint: passesNow
        ? 'It verifies now: accept it to record it as verified (aam-trust accept NAME, or the Accept action on its row), or re-install it verified (aam-trust install NAME --force).'
        : now.hint,
      rule: strict ? rule(context, 'on_signature_failure') : now.rule,
    },
  );
}
