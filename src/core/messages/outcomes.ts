import { AamError } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';

/**
 * The words for what a workflow did — published, waiting for approval and
 * by whom, approved, rejected, refused and why — decided once, here, from
 * the facts of the case (which registry, which version, who signed, who may
 * approve). The CLI prints them, VS Code shows them and the GitHub Action
 * summarizes them; none composes its own sentence for an outcome listed
 * here, as sigstore-js maps each error code to one message. A
 * verification's words (statuses, verdicts, findings) have their place
 * beside the verdict: verify/verdict/vocabulary.ts, policy/decision.ts.
 */

export type Decision = 'approved' | 'rejected';
export type ApprovalStatus = 'approved' | 'pending' | 'rejected';

/** How a version was signed, as an outcome names it. */
export interface SignedWith {
  method: 'sigstore' | 'gpg';
  /** Who: a Sigstore identity, or an OpenPGP user id and fingerprint. */
  signer: string | undefined;
}

/** The facts each outcome is said with. */
export interface OutcomeFacts {
  PUBLISHED: { label: string; registry: string; signature: SignedWith | undefined };
  PUBLISHED_PENDING_APPROVAL: {
    label: string;
    registry: string;
    signature: SignedWith | undefined;
    /** The registry's approvers, when it says (GET /api/v1/registry). */
    approvers: readonly string[] | undefined;
  };
  APPROVED: { label: string; registry: string; signer: string };
  REJECTED: { label: string; registry: string; signer: string; reason: string };
  /** The decision was recorded, but a decision signed later stands. */
  DECISION_SUPERSEDED: {
    label: string;
    registry: string;
    signer: string;
    decision: Decision;
    standing: ApprovalStatus;
  };
  APPROVAL_REFUSED_NOT_APPROVER: {
    label: string;
    registry: string;
    decision: Decision;
    signer: string | undefined;
    approvers: readonly string[] | undefined;
  };
  VERSION_PENDING_APPROVAL: { name: string; label: string; registry: string; approvers: readonly string[] | undefined };
  VERSION_REJECTED: { name: string; label: string; registry: string };
  NOT_AN_OWNER: { name: string; registry: string; user: string | undefined };
  TOKEN_SCOPE_MISSING: { registry: string; scope: string };
}

export type OutcomeCode = keyof OutcomeFacts;

/** What every surface says for an outcome: the same mark and words, laid out as the surface lays out text. */
export interface Message {
  code: OutcomeCode;
  /** ✓ done, ⏳ done and waiting on someone else, ✗ refused or rejected, ⚠ done but without effect. */
  mark: '✓' | '⏳' | '✗' | '⚠';
  /** How loudly: an information, a warning, an error. */
  severity: 'info' | 'warning' | 'error';
  /** What happened, in one sentence. */
  text: string;
  /** What it means now, when there is more to say. */
  detail?: string;
  /** What to do next. */
  next?: string;
}

const noun = (decision: Decision) => (decision === 'approved' ? 'approval' : 'rejection');

function signedWith(signature: SignedWith | undefined): string {
  if (!signature) return 'unsigned';
  const method = signature.method === 'sigstore' ? 'Sigstore' : 'GPG';
  return `signed with ${method}${signature.signer ? ` (${signature.signer})` : ''}`;
}

/** Who may approve: the approvers by name when the registry says, else who they are. */
function approversOf(approvers: readonly string[] | undefined): string {
  return approvers && approvers.length > 0
    ? `one of the registry's approvers (${approvers.join(', ')})`
    : "one of the registry's approvers";
}

type Words = { [C in OutcomeCode]: (facts: OutcomeFacts[C]) => Omit<Message, 'code'> };

const WORDS: Words = {
  PUBLISHED: (f) => ({
    mark: '✓',
    severity: 'info',
    text: `Published ${f.label} to ${f.registry}, ${signedWith(f.signature)}.`,
  }),
  PUBLISHED_PENDING_APPROVAL: (f) => ({
    mark: '⏳',
    severity: 'info',
    text: `Published ${f.label} to ${f.registry}, ${signedWith(f.signature)}; it is waiting for approval.`,
    detail: `It cannot be installed, and is not "latest", until ${approversOf(f.approvers)} approves it.`,
    next: `An approver signs the approval: aam-trust approve ${f.label}, or AAM: Approve or Reject a Version… in VS Code.`,
  }),
  APPROVED: (f) => ({
    mark: '✓',
    severity: 'info',
    text: `Approved ${f.label} on ${f.registry}, signed by ${f.signer}.`,
    detail: 'It can be installed now.',
  }),
  REJECTED: (f) => ({
    mark: '✗',
    severity: 'info',
    text: `Rejected ${f.label} on ${f.registry}, signed by ${f.signer}: "${f.reason}".`,
    detail: 'It cannot be installed.',
  }),
  DECISION_SUPERSEDED: (f) => ({
    mark: '⚠',
    severity: 'warning',
    text: `Your ${noun(f.decision)} of ${f.label} on ${f.registry} is recorded, signed by ${f.signer}, but the version stays ${f.standing}: a decision signed later stands.`,
    next: `"aam-trust audit ${f.label.slice(0, f.label.lastIndexOf('@'))}" shows who decided what, and when.`,
  }),
  APPROVAL_REFUSED_NOT_APPROVER: (f) => ({
    mark: '✗',
    severity: 'error',
    text: `Registry "${f.registry}" refused the ${noun(f.decision)} of ${f.label}: it is signed by ${f.signer ?? 'a signer'}, who is not one of the registry's approvers.`,
    detail: `${f.approvers && f.approvers.length > 0 ? `Its approvers: ${f.approvers.join(', ')}. ` : ''}The registry goes by who signed the decision, not by the API token; nothing was recorded.`,
    next: `Ask one of its approvers to ${f.decision === 'approved' ? 'approve' : 'reject'} ${f.label}, or ask the registry's operator to make you an approver (aam-trust registry serve --approver YOUR-IDENTITY).`,
  }),
  VERSION_PENDING_APPROVAL: (f) => ({
    mark: '✗',
    severity: 'error',
    text: `${f.label} is waiting for approval on registry "${f.registry}": it cannot be installed yet.`,
    next: `Ask ${approversOf(f.approvers)} to review it (aam-trust approve ${f.label}), or install an approved version.`,
  }),
  VERSION_REJECTED: (f) => ({
    mark: '✗',
    severity: 'error',
    text: `${f.label} was rejected by an approver of registry "${f.registry}": it cannot be installed.`,
    next: `Install another version; "aam-trust audit ${f.name}" shows who rejected it and why.`,
  }),
  NOT_AN_OWNER: (f) => ({
    mark: '✗',
    severity: 'error',
    text: `Registry "${f.registry}" refused: ${f.user ?? "the token's user"} is not an owner of ${f.name}.`,
    next: `Only its owners publish, yank and tag its versions: ask one of them ("aam-trust owners ${f.name}" lists them) to add you, or publish under another name.`,
  }),
  TOKEN_SCOPE_MISSING: (f) => ({
    mark: '✗',
    severity: 'error',
    text: `Registry "${f.registry}" refused: the API token has no "${f.scope}" scope.`,
    next:
      f.scope === 'operator'
        ? `Only the registry's operator does this: ask them (their token comes from "aam-trust registry token create --scope operator" on the registry's host).`
        : `Create a token with it ("aam-trust token create --scope ${f.scope} --registry ${f.registry}") and use that one.`,
  }),
};

/** The words for an outcome, from its facts. */
export function say<C extends OutcomeCode>(code: C, facts: OutcomeFacts[C]): Message {
  return { code, ...WORDS[code](facts) };
}

/** A message as one paragraph, for a surface with one line to say it in (a notification, a log line). */
export function sentence(message: Message): string {
  return [message.text, message.detail, message.next].filter(Boolean).join(' ');
}

/** Outcomes that refuse what was asked, thrown as errors of the same code. */
export type Refusal = Extract<OutcomeCode, ErrorCode>;

/** A refusal as the core's error: its words, what it means, and the next step as the hint. */
export function refusal<C extends Refusal>(code: C, facts: OutcomeFacts[C]): AamError {
  const message = say(code, facts);
  return new AamError(code, [message.text, message.detail].filter(Boolean).join(' '), { hint: message.next });
}

/** What a signed decision came to: approved or rejected, or recorded while a later decision stands. */
export function decided(
  facts: { label: string; registry: string; signer: string; decision: Decision; comment: string },
  standing: ApprovalStatus | undefined,
): Message {
  const { label, registry, signer, decision } = facts;
  if (standing && standing !== decision)
    return say('DECISION_SUPERSEDED', { label, registry, signer, decision, standing });
  return decision === 'approved'
    ? say('APPROVED', { label, registry, signer })
    : say('REJECTED', { label, registry, signer, reason: facts.comment });
}
