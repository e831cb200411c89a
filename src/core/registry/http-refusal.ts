import type { AamError } from '../errors.ts';
import { refusal } from '../messages/outcomes.ts';
import type { Decision } from '../messages/outcomes.ts';

/** What a request is about, so that a refusal can be said in the words of its outcome. */
export interface Subject {
  name: string;
  version?: string;
  decision?: Decision;
}

/**
 * A 403 whose `details.reason` says why (this registry's extension of the
 * spec's `forbidden`): not an approver, not an owner, a token without the
 * scope. Each has its own words; the token's scopes are named only when they
 * are the reason.
 */
export function forbidden(registry: string, details: unknown, subject: Subject | undefined): AamError | undefined {
  const d = (details ?? {}) as {
    reason?: unknown;
    signer?: unknown;
    approvers?: unknown;
    user?: unknown;
    scope?: unknown;
  };
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  if (d.reason === 'not_approver' && subject?.version && subject.decision)
    return refusal('APPROVAL_REFUSED_NOT_APPROVER', {
      label: `${subject.name}@${subject.version}`,
      registry,
      decision: subject.decision,
      signer: text(d.signer),
      approvers: Array.isArray(d.approvers) ? d.approvers.filter((a): a is string => typeof a === 'string') : undefined,
    });
  if (d.reason === 'not_owner' && subject)
    return refusal('NOT_AN_OWNER', { name: subject.name, registry, user: text(d.user) });
  if (d.reason === 'missing_scope' && text(d.scope))
    return refusal('TOKEN_SCOPE_MISSING', { registry, scope: text(d.scope)! });
  return undefined;
}
