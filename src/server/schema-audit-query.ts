/**
 * Migration 10: the audit log's query (spec §3.3.10) read in index order.
 * Its filters by package, actor and event each read an index ordered by
 * sequence number, so a page is the index's next rows however long the log
 * has grown, and counting its matches up to a cap (queryAudit) reads no more
 * than that many. Before, only `package` had an index (not in log order), and
 * a filter by actor or event read the whole log on every request. A time
 * range reads its own index (replaced in migration 11).
 */
export const AUDIT_QUERY_MIGRATION = `
CREATE INDEX idx_audit_package_seq ON audit_log (package, seq);
DROP INDEX IF EXISTS idx_audit_package;
CREATE INDEX idx_audit_actor_seq ON audit_log (actor, seq);
CREATE INDEX idx_audit_event_seq ON audit_log (event, seq);
CREATE INDEX idx_audit_timestamp ON audit_log (timestamp);
`;

/**
 * Migration 11: a time range is found as the span of sequence numbers it
 * covers (queryAudit), each end one step into an index in (timestamp, seq)
 * order. An index on the time alone served a range only when the planner
 * chose it, which the embedded engine, with no statistics, did not: a range
 * after every entry read the whole log (diff2-review 3).
 */
export const AUDIT_TIME_MIGRATION = `
CREATE INDEX idx_audit_timestamp_seq ON audit_log (timestamp, seq);
DROP INDEX IF EXISTS idx_audit_timestamp;
`;
