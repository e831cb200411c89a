import type { Queryable } from '../db.ts';
import { iso } from './packages.ts';

/** One run of an evaluation against a version (spec §3.3.9), as uploaded by an owner. */
export interface EvalResult {
  id: string;
  eval_name: string;
  status: 'passed' | 'failed' | 'error' | 'skipped';
  metrics: Record<string, number>;
  run_at: string;
  runner_identity: string | null;
  environment: Record<string, string> | null;
  uploaded_by: string | null;
  created_at: string;
}

interface EvalRow {
  id: string;
  eval_name: string;
  status: EvalResult['status'];
  metrics: Record<string, number>;
  run_at: Date;
  runner_identity: string | null;
  environment: Record<string, string> | null;
  uploaded_by: string | null;
  created_at: Date;
}

const SELECT = `SELECT e.id, e.eval_name, e.status, e.metrics, e.run_at, e.runner_identity, e.environment,
                       u.username AS uploaded_by, e.created_at
                  FROM eval_results e LEFT JOIN users u ON u.id = e.uploaded_by`;

/** A version's eval results, in the order they were run. */
export async function evalResultsOf(db: Queryable, versionId: string): Promise<EvalResult[]> {
  const { rows } = await db.query<EvalRow>(`${SELECT} WHERE e.version_id = $1 ORDER BY e.run_at, e.eval_name`, [
    versionId,
  ]);
  return rows.map(toResult);
}

export async function insertEvalResult(
  tx: Queryable,
  versionId: string,
  userId: string,
  body: Omit<EvalResult, 'id' | 'uploaded_by' | 'created_at'>,
): Promise<EvalResult> {
  const { rows } = await tx.query<{ id: string }>(
    `INSERT INTO eval_results (version_id, eval_name, status, metrics, run_at, runner_identity, environment, uploaded_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      versionId,
      body.eval_name,
      body.status,
      JSON.stringify(body.metrics),
      body.run_at,
      body.runner_identity,
      body.environment === null ? null : JSON.stringify(body.environment),
      userId,
    ],
  );
  const stored = await tx.query<EvalRow>(`${SELECT} WHERE e.id = $1`, [rows[0]!.id]);
  return toResult(stored.rows[0]!);
}

/** Whether the version already has a result of this evaluation run at this time. */
export async function evalResultExists(
  db: Queryable,
  versionId: string,
  evalName: string,
  runAt: string,
): Promise<boolean> {
  const { rows } = await db.query(
    'SELECT 1 FROM eval_results WHERE version_id = $1 AND eval_name = $2 AND run_at = $3',
    [versionId, evalName, runAt],
  );
  return rows.length > 0;
}

function toResult(row: EvalRow): EvalResult {
  return {
    id: row.id,
    eval_name: row.eval_name,
    status: row.status,
    metrics: row.metrics,
    run_at: iso(row.run_at),
    runner_identity: row.runner_identity,
    environment: row.environment,
    uploaded_by: row.uploaded_by,
    created_at: iso(row.created_at),
  };
}
