import type { FastifyPluginAsync } from 'fastify';
import { BEARER, callerOf, requirePackageOwner, requireToken } from '../auth.ts';
import { packageName } from '../context.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref } from '../schemas.ts';
import {
  evalResultCount,
  evalResultExists,
  evalResultsOf,
  insertEvalResult,
  MAX_EVAL_RESULTS,
} from '../store/eval-results.ts';
import type { EvalResult } from '../store/eval-results.ts';
import { requireOwner, requirePackage, versionRow } from '../store/packages.ts';
import { packageRoutes, VERSION_PARAM } from './package-routes.ts';

const KEY = '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$';

/** What an owner uploads (spec §3.3.9): checked against this before anything is stored. */
const UPLOAD = {
  type: 'object',
  required: ['eval_name', 'status', 'metrics', 'run_at'],
  additionalProperties: false,
  properties: {
    eval_name: { type: 'string', pattern: KEY },
    status: { enum: ['passed', 'failed', 'error', 'skipped'] },
    metrics: {
      type: 'object',
      maxProperties: 64,
      propertyNames: { pattern: KEY },
      additionalProperties: { type: 'number' },
    },
    run_at: { type: 'string', format: 'date-time' },
    runner_identity: { type: 'string', minLength: 1, maxLength: 255 },
    environment: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { pattern: KEY },
      additionalProperties: { type: 'string', maxLength: 256 },
    },
  },
} as const;

type Upload = {
  eval_name: string;
  status: EvalResult['status'];
  metrics: Record<string, number>;
  run_at: string;
  runner_identity?: string;
  environment?: Record<string, string>;
};

/** A version's eval results: its owners upload them, anyone reads them. */
export const evalResultsPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  packageRoutes(app, {
    method: 'POST',
    path: '/:version/eval-results',
    params: { version: VERSION_PARAM },
    config: { rateLimitKind: 'write' },
    onRequest: requireToken({ scope: 'publish' }),
    preHandler: requirePackageOwner,
    bodyLimit: 64 * 1024,
    schema: {
      summary: 'Upload an eval result for a version (owner)',
      tags: ['eval-results'],
      security: BEARER,
      body: UPLOAD,
      response: { 201: ref('EvalResult'), ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const body = request.body as Upload;
      const caller = callerOf(request);
      const runAt = new Date(body.run_at);
      if (runAt.getTime() > Date.now() + 5 * 60_000)
        throw new ApiFailure(400, 'bad_request', `body/run_at (${body.run_at}) is in the future.`);
      const { row } = await versionRow(db, name, version);
      const result = await db.transaction(async (tx) => {
        // The package's row is locked: two uploads cannot both take the last place.
        const pkg = await requirePackage(tx, name, true);
        await requireOwner(tx, caller, pkg, name);
        if ((await evalResultCount(tx, row.id)) >= MAX_EVAL_RESULTS)
          throw new ApiFailure(
            409,
            'too_many_eval_results',
            `${name}@${version} already has ${MAX_EVAL_RESULTS} eval results, the most a version keeps: publish a new version to record more runs.`,
            { limit: MAX_EVAL_RESULTS },
          );
        if (await evalResultExists(tx, row.id, body.eval_name, runAt.toISOString()))
          throw new ApiFailure(
            409,
            'eval_exists',
            `${name}@${version} already has a result of ${body.eval_name} run at ${runAt.toISOString()}.`,
          );
        return insertEvalResult(tx, row.id, caller.userId, {
          eval_name: body.eval_name,
          status: body.status,
          metrics: body.metrics,
          run_at: runAt.toISOString(),
          runner_identity: body.runner_identity ?? null,
          environment: body.environment ?? null,
        });
      });
      request.log.info({ package: name, version, eval: body.eval_name, user: caller.username }, 'eval result uploaded');
      return reply.code(201).send(result);
    },
  });

  packageRoutes(app, {
    method: 'GET',
    path: '/:version/eval-results',
    params: { version: VERSION_PARAM },
    schema: {
      summary: "A version's eval results",
      tags: ['eval-results'],
      response: {
        200: {
          type: 'object',
          required: ['package', 'version', 'eval_results'],
          additionalProperties: false,
          properties: {
            package: { type: 'string' },
            version: { type: 'string' },
            eval_results: { type: 'array', items: ref('EvalResult') },
          },
        },
        ...errors(400, 404),
      },
    },
    handler: async (request) => {
      const name = packageName(request.params);
      const { version } = request.params as { version: string };
      const { row } = await versionRow(db, name, version);
      return { package: name, version, eval_results: await evalResultsOf(db, row.id) };
    },
  });
};
