import type { FastifyInstance } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { auditEntries } from '../audit.ts';
import { consistencyHashes, inclusionHashes, inclusionHashesOf, treeHead } from '../audit-tree.ts';
import { ApiFailure } from '../errors.ts';
import { errors, ref } from '../schemas.ts';

const SIZE = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const HASHES = { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{64}$' } } as const;

/** At most this many of one package's entries, with their proofs, in one answer. */
const MAX_PROVEN = 1000;

/**
 * The audit log's proofs (RFC 6962 §2.1.1, §2.1.2): that a smaller tree is a
 * prefix of a larger one, and that an entry is a leaf of a tree — each
 * O(log n) hashes, so a client checks a new head, or the entries about its
 * packages, without reading the log. Tree sizes are entry counts; an index
 * is a leaf's position, counted from 0 (the entry numbered index + 1).
 */
export function auditProofRoutes(app: FastifyInstance): void {
  const { db } = app.registry;

  app.get(
    `${API_PREFIX}/audit-log/proof/consistency`,
    {
      schema: {
        summary: 'A consistency proof: the tree of `from` entries is a prefix of the tree of `to`',
        tags: ['audit'],
        querystring: {
          type: 'object',
          required: ['from', 'to'],
          additionalProperties: false,
          properties: { from: SIZE, to: SIZE },
        },
        response: {
          200: {
            type: 'object',
            required: ['from', 'to', 'proof'],
            additionalProperties: false,
            properties: { from: SIZE, to: SIZE, proof: HASHES },
          },
          ...errors(400),
        },
      },
    },
    async (request) => {
      const { from, to } = request.query as { from: number; to: number };
      const head = await treeHead(db);
      return { from, to, proof: await consistencyHashes(db, from, to, head.size) };
    },
  );

  app.get(
    `${API_PREFIX}/audit-log/proof/inclusion`,
    {
      schema: {
        summary: "Inclusion proofs: one entry's (`index`), or every entry about a `package`, in the tree of `size`",
        tags: ['audit'],
        querystring: {
          type: 'object',
          required: ['size'],
          additionalProperties: false,
          properties: {
            size: SIZE,
            index: SIZE,
            package: { type: 'string', maxLength: 130 },
            after: { ...SIZE, description: "With `package`: only the package's entries after this size." },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['size', 'proofs'],
            additionalProperties: false,
            properties: {
              size: SIZE,
              proofs: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['index', 'entry', 'proof'],
                  additionalProperties: false,
                  properties: { index: SIZE, entry: ref('AuditEntry'), proof: HASHES },
                },
              },
              more: { type: 'boolean', description: `True when the package has more than ${MAX_PROVEN} entries.` },
            },
          },
          ...errors(400, 404),
        },
      },
    },
    async (request) => {
      const query = request.query as { size: number; index?: number; package?: string; after?: number };
      if ((query.index === undefined) === (query.package === undefined))
        throw new ApiFailure(400, 'bad_request', 'Ask for one entry (index) or one package (package), not both.');
      const head = await treeHead(db);
      if (query.size > head.size)
        throw new ApiFailure(
          400,
          'bad_request',
          `The log has ${head.size} entries: there is no tree of ${query.size}.`,
        );
      if (query.index !== undefined) {
        if (query.index >= query.size)
          throw new ApiFailure(400, 'bad_request', `There is no entry ${query.index} in a tree of ${query.size}.`);
        const [entry] = await auditEntries(db, { from: query.index, limit: 1 });
        if (!entry || entry.seq !== query.index + 1)
          throw new ApiFailure(404, 'entry_not_found', `The log has no entry ${query.index}.`);
        return {
          size: query.size,
          proofs: [{ index: query.index, entry, proof: await inclusionHashes(db, query.index, query.size, head.size) }],
        };
      }
      const entries = await auditEntries(db, {
        from: query.after ?? 0,
        limit: MAX_PROVEN + 1,
        package: query.package,
        until: query.size,
      });
      const shown = entries.slice(0, MAX_PROVEN);
      const proofs = await inclusionHashesOf(
        db,
        shown.map((e) => e.seq - 1),
        query.size,
      );
      return {
        size: query.size,
        proofs: shown.map((entry, i) => ({ index: entry.seq - 1, entry, proof: proofs[i]! })),
        ...(entries.length > MAX_PROVEN ? { more: true } : {}),
      };
    },
  );
}

/** The ETag of a head: it names the tree (size and root), not the moment it was signed. */
export function headTag(head: { size: number; root: Buffer }): string {
  return `"${head.size}-${head.root.toString('hex')}"`;
}
