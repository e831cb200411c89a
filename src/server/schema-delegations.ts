/**
 * Migration 12: a revocation names the delegation it revokes, and whether
 * the delegation's own signer made it (checked when it is stored:
 * delegation-checks.ts). A delegation has one revocation by its signer at
 * most, and every delegation not yet so revoked keeps room for it among the
 * files clients read, whoever else revokes it (delegation-review F1).
 */
export const DELEGATION_REVOKES_MIGRATION = `
ALTER TABLE delegations ADD COLUMN revokes VARCHAR(71);
ALTER TABLE delegations ADD COLUMN by_delegator BOOLEAN NOT NULL DEFAULT false;
CREATE UNIQUE INDEX idx_delegations_revokes ON delegations (revokes) WHERE by_delegator;
`;
