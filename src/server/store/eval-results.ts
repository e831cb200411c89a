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

/**
 * The most results one version keeps (each up to about 10 KB): every one is
 * in each anonymous read of the version's results, so an owner's account
 * could otherwise grow that answer without end (registry2-review F1).
 */
export const MAX_EVAL_RESULTS = 100;

/** The evaluations a version's metadata shows the latest run of, at most (all are in its eval-results). */
export const EVAL_NAMES_SHOWN = 32;

/** A version's eval results, in the order they were run. */
export async function evalResultsOf(db: Queryable, versionId: string): Promise<EvalResult[]> {
  const { rows } = await db.query<EvalRow>(`${SELECT} WHERE e.version_id = $1 ORDER BY e.run_at, e.eval_name`, [
    versionId,
  ]);
  return rows.map(toResult);
}

/** The latest run of each evaluation of a version (at most EVAL_NAMES_SHOWN, those run last), in the order they were run. */
export async function latestEvalResultsOf(db: Queryable, versionId: string): Promise<EvalResult[]> {
  const { rows } = await db.query<EvalRow>(
    `SELECT * FROM (
       SELECT * FROM (
         SELECT DISTINCT ON (e.eval_name) e.id, e.eval_name, e.status, e.metrics, e.run_at, e.runner_identity,
                e.environment, u.username AS uploaded_by, e.created_at
           FROM eval_results e LEFT JOIN users u ON u.id = e.uploaded_by
          WHERE e.version_id = $1
          ORDER BY e.eval_name, e.run_at DESC
       ) latest ORDER BY run_at DESC, eval_name LIMIT $2
     ) shown ORDER BY run_at, eval_name`,
    [versionId, EVAL_NAMES_SHOWN],
  );
  return rows.map(toResult);
}

/** How many results a version has. */
export async function evalResultCount(db: Queryable, versionId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM eval_results WHERE version_id = $1', [
    versionId,
  ]);
  return Number(rows[0]?.n ?? 0);
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
