import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { AUDIT_EVENTS, signHead } from '../../core/registry/audit-log.ts';
import { AUDIT_COUNT_CAP, auditEntries, auditHead, queryAudit } from '../audit.ts';
import { treeHead } from '../audit-tree.ts';
import { packageName } from '../context.ts';
import type { Database } from '../db.ts';
import { errors, ref } from '../schemas.ts';
import { registrySettings } from '../store/packages.ts';
import { auditProofRoutes, headTag } from './audit-proofs.ts';
import { packageRoutes } from './package-routes.ts';

/** ISO 8601: a date, or a date and time. */
const TIME = { type: 'string', anyOf: [{ format: 'date-time' }, { format: 'date' }] } as const;

const QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    package: { type: 'string', maxLength: 130 },
    event: { enum: AUDIT_EVENTS },
    actor: { type: 'string', maxLength: 255 },
    from: TIME,
    to: TIME,
    page: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 1 },
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    after: {
      type: 'integer',
      minimum: 0,
      description: 'The chain in order, after this sequence number (an extension of the spec).',
    },
  },
} as const;

const PAGE = {
  type: 'object',
  required: ['entries', 'size', 'head_hash'],
  additionalProperties: false,
  properties: {
    entries: { type: 'array', items: ref('AuditEntry') },
    total: { type: 'integer' },
    total_capped: {
      type: 'boolean',
      description: `Present (true) when more than ${AUDIT_COUNT_CAP} entries match a filter: total then says ${AUDIT_COUNT_CAP}, and pages past them are empty (read the chain with after to see every entry).`,
    },
    page: { type: 'integer' },
    pages: { type: 'integer' },
    size: { type: 'integer', description: 'How long the whole log is now.' },
    head_hash: { type: 'string' },
  },
} as const;

/**
 * The spec's query (filters, pages) is limited as a search is; reading the chain in order (`after`), which every
 * client that checks the log does a page of 1,000 at a time, is not: it is a range of the primary key.
 */
const QUERY_LIMIT = {
  rateLimitKind: 'search',
  rateLimitWhen: (request: FastifyRequest) => (request.query as { after?: unknown }).after === undefined,
} as const;

interface AuditQuery {
  package?: string;
  event?: string;
  actor?: string;
  from?: string;
  to?: string;
  page: number;
  limit?: number;
  after?: number;
}

/**
 * The audit log (spec §3.3.10). Readable by everyone, unlike the spec's
 * table: a transparency log is only worth something when the clients that
 * check its chain can read it (seeds, Layer 4: registry actions are publicly
 * visible). Actors are usernames; nothing in it is an email.
 */
export const auditPlugin: FastifyPluginAsync = async (app) => {
  const { db } = app.registry;

  app.get(
    `${API_PREFIX}/audit-log`,
    {
      config: QUERY_LIMIT,
      schema: {
        summary: 'Query the audit log (public here: see the README)',
        tags: ['audit'],
        querystring: QUERY,
        response: { 200: PAGE, ...errors(400) },
      },
    },
    async (request) => auditPage(db, request.query as AuditQuery),
  );

  app.get(
    `${API_PREFIX}/audit-log/head`,
    {
      schema: {
        summary: "The log's head (size and last hash), signed now with the registry's key",
        tags: ['audit'],
        response: {
          200: {
            type: 'object',
            required: ['registry', 'size', 'head_hash', 'signed_at', 'key_id', 'signature', 'root', 'root_signature'],
            additionalProperties: false,
            properties: {
              registry: { type: 'string' },
              size: { type: 'integer' },
              head_hash: { type: 'string' },
              signed_at: { type: 'string', format: 'date-time' },
              key_id: { type: 'string' },
              signature: {
                type: 'string',
                description: 'Over aam-audit-head/v1: registry, size, head_hash, signed_at.',
              },
              root: { type: 'string', description: "The RFC 6962 Merkle tree's root over the entries' hashes." },
              root_signature: { type: 'string', description: 'Over aam-audit-head/v2: the same and the root.' },
            },
          },
          304: { type: 'null', description: 'The tree named in If-None-Match ("SIZE-ROOT") is still the head.' },
        },
      },
    },
    async (request, reply) => {
      const [head, settings] = await Promise.all([treeHead(db), registrySettings(db)]);
      const tag = headTag(head);
      reply.header('etag', tag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === tag) return reply.code(304).send();
      return signHead(
        {
          registry: settings.name,
          size: head.size,
          head_hash: head.head_hash,
          root: head.root.toString('hex'),
          signed_at: new Date().toISOString(),
        },
        app.registry.key,
      );
    },
  );

  auditProofRoutes(app);

  packageRoutes(app, {
    method: 'GET',
    path: '/audit-log',
    config: QUERY_LIMIT,
    schema: {
      summary: "One package's audit log",
      tags: ['audit'],
      querystring: {
        ...QUERY,
        properties: Object.fromEntries(Object.entries(QUERY.properties).filter(([key]) => key !== 'package')),
      },
      response: { 200: PAGE, ...errors(400) },
    },
    handler: async (request) =>
      auditPage(db, { ...(request.query as AuditQuery), package: packageName(request.params) }),
  });
};

async function auditPage(db: Database, query: AuditQuery) {
  const head = await auditHead(db);
  // Reading the chain (an extension of the spec): every entry after sequence number `after`, in order.
  if (query.after !== undefined) {
    const entries = await auditEntries(db, { from: query.after, limit: query.limit ?? 1000, package: query.package });
    return { entries, size: head.size, head_hash: head.head_hash };
  }
  const page = await queryAudit(
    db,
    {
      package: query.package,
      event: query.event,
      actor: query.actor,
      from: query.from && new Date(query.from).toISOString(),
      to: query.to && new Date(query.to).toISOString(),
      page: query.page,
      limit: Math.min(query.limit ?? 50, 200),
    },
    head.size,
  );
  return { ...page, size: head.size, head_hash: head.head_hash };
}
