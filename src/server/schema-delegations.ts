/**
 * Migration 12: a revocation names the delegation it revokes, and a
 * delegation has one revocation at most: its signer's, checked when it is
 * stored (delegation-checks.ts). So every delegation kept leaves room for
 * its revocation among the files clients read (delegation-review F1).
 */
export const DELEGATION_REVOKES_MIGRATION = `
ALTER TABLE delegations ADD COLUMN revokes VARCHAR(71);
CREATE UNIQUE INDEX idx_delegations_revokes ON delegations (revokes) WHERE revokes IS NOT NULL;
`;
