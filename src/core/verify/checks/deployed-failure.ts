import type { DeployedCopy } from '../../deploy/check.ts';
import type { IntegrityCheck } from '../../policy/decision.ts';

/*
 * Apart from check-deployed.ts, which computes the copies from the archive
 * (and loads the YAML library): the report decides with this too, and the
 * extension's start-up bundle holds the report.
 */

export type DeployedFailure = Extract<IntegrityCheck, { ok: false }>;

/** The integrity failure the copies that are not as signed make, or undefined when there are none. */
export function deployedFailure(name: string, copies: readonly DeployedCopy[]): DeployedFailure | undefined {
  const bad = copies.filter((c) => c.state !== 'ok' && c.state !== 'shadowed');
  if (bad.length === 0) return undefined;
  const first = bad[0]!;
  const where = bad.map((c) => `${c.platform} ${c.type} ${c.name} (${stateWords(c)})`).join('; ');
  return {
    ok: false,
    code: 'DEPLOYED_MODIFIED',
    expected: first.expected ?? first.path,
    actual: first.actual ?? first.state,
    detail: `The copies of ${name} that agents load do not match the signed archive: ${where}.`,
  };
}

/** A copy's state and what is wrong with it, the state said once ("modified: SKILL.md", not "modified: modified: …"). */
export function stateWords(copy: Pick<DeployedCopy, 'state' | 'detail'>): string {
  if (!copy.detail) return copy.state;
  return copy.detail.startsWith(`${copy.state}: `) ? copy.detail : `${copy.state}: ${copy.detail}`;
}
