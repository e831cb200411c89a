import { STATUS_LABEL } from '../../verify/verdict/vocabulary.ts';
import type { VerdictStatus } from '../../policy/decision.ts';
import { signerGroups } from './model.ts';
import type { ComplianceRow, ComplianceTotals, SigningMethod } from './model.ts';

/**
 * Totals by status, signer and method; the counts by status and method add up
 * to the total (by signer, more when co-signed). `notChecked`: how many
 * projects (or registry audit logs) could not be checked at all.
 */
export function totalsOf(rows: readonly ComplianceRow[], notChecked = 0): ComplianceTotals {
  const status = new Map<VerdictStatus, { count: number; notCompliant: number }>();
  const signers = new Map<string, number>();
  const methods = new Map<SigningMethod, number>();
  let compliant = 0;
  for (const row of rows) {
    const s = status.get(row.status) ?? { count: 0, notCompliant: 0 };
    s.count++;
    if (!row.compliant) s.notCompliant++;
    status.set(row.status, s);
    // A co-signed package counts under each of its signers.
    for (const who of signerGroups(row)) signers.set(who, (signers.get(who) ?? 0) + 1);
    methods.set(row.method, (methods.get(row.method) ?? 0) + 1);
    if (row.compliant) compliant++;
  }
  const byCount = <T extends { count: number }>(a: T, b: T, name: (t: T) => string) =>
    b.count - a.count || name(a).localeCompare(name(b));
  return {
    total: rows.length,
    compliant,
    notCompliant: rows.length - compliant,
    byStatus: [...status]
      .map(([s, c]) => ({ status: s, label: STATUS_LABEL[s], ...c }))
      .sort((a, b) => byCount(a, b, (t) => t.status)),
    bySigner: [...signers].map(([signer, count]) => ({ signer, count })).sort((a, b) => byCount(a, b, (t) => t.signer)),
    byMethod: [...methods].map(([method, count]) => ({ method, count })).sort((a, b) => byCount(a, b, (t) => t.method)),
    notChecked,
  };
}
