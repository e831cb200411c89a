import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decided, refusal, say, sentence } from '../../../src/core/messages/outcomes.ts';
import { STEP } from '../../../src/core/messages/steps.ts';

/** Each outcome's words, pinned: every surface (CLI, VS Code, the registry client) says exactly these. */
describe('the words for each outcome', () => {
  const gpg = { method: 'gpg' as const, signer: 'Lead <lead@example.com>' };

  it('published, and published but waiting for approval by whom', () => {
    assert.deepEqual(say('PUBLISHED', { label: 'a@1.0.0', registry: 'corp', signature: gpg }), {
      code: 'PUBLISHED',
      mark: '✓',
      severity: 'info',
      text: 'Published a@1.0.0 to corp, signed with GPG (Lead <lead@example.com>).',
    });
    assert.equal(
      say('PUBLISHED', { label: 'a@1.0.0', registry: 'team', signature: undefined }).text,
      'Published a@1.0.0 to team, unsigned.',
    );
    const pending = say('PUBLISHED_PENDING_APPROVAL', {
      label: 'a@1.0.0',
      registry: 'corp',
      signature: { method: 'sigstore', signer: 'alice@example.com' },
      approvers: ['lead@example.com'],
    });
    assert.equal(pending.mark, '⏳');
    assert.equal(
      sentence(pending),
      'Published a@1.0.0 to corp, signed with Sigstore (alice@example.com); it is waiting for approval. It cannot be installed, and is not "latest", until one of the registry\'s approvers (lead@example.com) approves it. An approver signs the approval: aam-trust approve a@1.0.0, or AAM: Approve or Reject a Version… in VS Code.',
    );
  });

  it('approved, rejected, and a decision that a later one outweighs', () => {
    const facts = { label: 'a@1.0.0', registry: 'corp', signer: 'lead@example.com', comment: 'broken' };
    assert.equal(
      sentence(decided({ ...facts, decision: 'approved' }, 'approved')),
      'Approved a@1.0.0 on corp, signed by lead@example.com. It can be installed now.',
    );
    assert.equal(
      sentence(decided({ ...facts, decision: 'rejected' }, 'rejected')),
      'Rejected a@1.0.0 on corp, signed by lead@example.com: "broken". It cannot be installed.',
    );
    const superseded = decided({ ...facts, decision: 'approved' }, 'rejected');
    assert.deepEqual([superseded.code, superseded.mark, superseded.severity], ['DECISION_SUPERSEDED', '⚠', 'warning']);
    assert.match(superseded.text, /^Your approval of a@1\.0\.0 on corp is recorded, .* but the version stays rejected/);
    assert.match(superseded.next!, /"aam-trust audit a" shows who decided what/);
  });

  it('refusals are errors of their own code, with the next step as the hint', () => {
    const notApprover = refusal('APPROVAL_REFUSED_NOT_APPROVER', {
      label: 'a@1.0.0',
      registry: 'corp',
      decision: 'approved',
      signer: 'mallory@example.com',
      approvers: ['lead@example.com'],
    });
    assert.equal(notApprover.code, 'APPROVAL_REFUSED_NOT_APPROVER');
    assert.equal(
      notApprover.message,
      'Registry "corp" refused the approval of a@1.0.0: it is signed by mallory@example.com, who is not one of the registry\'s approvers. Its approvers: lead@example.com. The registry goes by who signed the decision, not by the API token; nothing was recorded.',
    );
    assert.doesNotMatch(`${notApprover.message} ${notApprover.hint}`, /scope/);
    const notOwner = refusal('NOT_AN_OWNER', { name: '@acme/a', registry: 'corp', user: 'bob' });
    assert.equal(notOwner.message, 'Registry "corp" refused: bob is not an owner of @acme/a.');
    assert.match(notOwner.hint!, /aam-trust owners @acme\/a/);
    const scope = refusal('TOKEN_SCOPE_MISSING', { registry: 'corp', scope: 'publish' });
    assert.equal(scope.message, 'Registry "corp" refused: the API token has no "publish" scope.');
    const pending = refusal('VERSION_PENDING_APPROVAL', {
      name: 'a',
      label: 'a@1.0.0',
      registry: 'corp',
      approvers: undefined,
    });
    assert.equal(pending.message, 'a@1.0.0 is waiting for approval on registry "corp": it cannot be installed yet.');
    const rejected = refusal('VERSION_REJECTED', { name: 'a', label: 'a@1.0.0', registry: 'corp' });
    assert.match(rejected.hint!, /"aam-trust audit a" shows who rejected it and why/);
  });

  it('steps name what is signed: a package, an approval, a rejection', () => {
    assert.equal(STEP.signing('package', 'gpg'), 'Signing package with GPG');
    assert.equal(STEP.signing('approval', 'sigstore'), 'Signing approval with Sigstore');
    assert.equal(STEP.signed('rejection'), 'Rejection signed successfully');
    assert.equal(STEP.sending('approval', 'corp'), 'Sending the approval to corp');
  });
});
