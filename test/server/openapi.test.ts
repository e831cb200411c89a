import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { installResponseChecks } from '../../src/server/response-checks.ts';
import { PUBLISH_READER } from '../../src/server/routes/publish.ts';
import { SIGNATURE_READER } from '../../src/server/routes/signers.ts';
import { packPackage, startTestRegistry } from '../helpers/registry.ts';
import type { TestRegistry } from '../helpers/registry.ts';

/** The spec's §3.2 table (../shared/seeds/http-registry-spec.md), row by row: method, endpoint, auth. */
const SPEC_ROUTES = `
GET /packages No
GET /packages/@{scope}/{name} No
GET /packages/@{scope}/{name}/versions No
GET /packages/@{scope}/{name}/{version} No
GET /packages/@{scope}/{name}/{version}/download No
GET /packages/{name} No
GET /packages/{name}/versions No
GET /packages/{name}/{version} No
GET /packages/{name}/{version}/download No
POST /packages Yes
DELETE /packages/@{scope}/{name}/{version} Yes
DELETE /packages/{name}/{version} Yes
GET /packages/@{scope}/{name}/tags No
PUT /packages/@{scope}/{name}/tags/{tag} Yes
DELETE /packages/@{scope}/{name}/tags/{tag} Yes
GET /packages/{name}/tags No
PUT /packages/{name}/tags/{tag} Yes
DELETE /packages/{name}/tags/{tag} Yes
POST /packages/@{scope}/{name}/{version}/approve Yes
GET /packages/@{scope}/{name}/{version}/approvals No
POST /packages/{name}/{version}/approve Yes
GET /packages/{name}/{version}/approvals No
POST /packages/@{scope}/{name}/{version}/eval-results Yes
GET /packages/@{scope}/{name}/{version}/eval-results No
POST /packages/{name}/{version}/eval-results Yes
GET /packages/{name}/{version}/eval-results No
GET /audit-log Yes
GET /packages/@{scope}/{name}/audit-log Yes
GET /packages/{name}/audit-log Yes
POST /users/register No
POST /users/login No
GET /users/me Yes
POST /users/tokens Yes
DELETE /users/tokens/{id} Yes
`
  .trim()
  .split('\n')
  .map((line) => line.split(' ') as [string, string, 'Yes' | 'No']);

/** Where this registry departs from the table on purpose (README: the audit log is public, clients check it). */
const PUBLIC_HERE = new Set([
  'GET /audit-log',
  'GET /packages/@{scope}/{name}/audit-log',
  'GET /packages/{name}/audit-log',
]);

interface Operation {
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

describe('the OpenAPI document at /api/v1/openapi.json', () => {
  let registry: TestRegistry;
  let document: {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
    components: { schemas: Record<string, unknown> };
  };

  before(async () => {
    registry = await startTestRegistry();
    const response = await fetch(`${registry.url}/api/v1/openapi.json`);
    assert.equal(response.status, 200);
    document = (await response.json()) as typeof document;
  });
  after(async () => registry?.close());

  it('describes every route of the spec’s §3.2 table, with its parameters and whether it needs a token', () => {
    assert.equal(document.openapi, '3.1.0');
    for (const [method, endpoint, auth] of SPEC_ROUTES) {
      const operation = document.paths[`/api/v1${endpoint}`]?.[method.toLowerCase()];
      assert.ok(operation, `${method} ${endpoint} is not in the document`);
      const params = [...endpoint.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      assert.deepEqual(
        (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name),
        params,
        `${method} ${endpoint}: path parameters`,
      );
      const wantsToken = auth === 'Yes' && !PUBLIC_HERE.has(`${method} ${endpoint}`);
      assert.equal(Boolean(operation.security?.length), wantsToken, `${method} ${endpoint}: security`);
      const success = Object.keys(operation.responses).filter((s) => s.startsWith('2'));
      assert.ok(success.length > 0, `${method} ${endpoint} declares no success answer`);
      if (wantsToken) assert.ok(operation.responses['401'], `${method} ${endpoint} declares no 401`);
    }
  });

  it('names the shared models as components, and every answer has a schema', () => {
    for (const name of [
      'Error',
      'Package',
      'Version',
      'VersionDetail',
      'Signature',
      'EvalResult',
      'AuditEntry',
      'Token',
    ])
      assert.ok(document.components.schemas[name], `no component ${name}`);
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations))
        for (const [status, answer] of Object.entries(operation.responses))
          if (status !== '204')
            assert.ok(
              Object.values(answer.content ?? {}).every((c) => c.schema),
              `${method.toUpperCase()} ${path} ${status} has no schema`,
            );
  });

  it('a server that answers other than its schema says fails the request (what holds every test’s answers to it)', async () => {
    const app = Fastify();
    installResponseChecks(app);
    app.get(
      '/drifted',
      {
        schema: {
          response: {
            200: {
              type: 'object',
              required: ['a'],
              additionalProperties: false,
              properties: { a: { type: 'string' } },
            },
          },
        },
      },
      async () => ({ a: 'declared', b: 'not declared' }),
    );
    app.get(
      '/fine',
      { schema: { response: { 200: { type: 'object', properties: { a: { type: 'string' } } } } } },
      async () => ({ a: 'declared' }),
    );
    const drifted = await app.inject('/drifted');
    assert.equal(drifted.statusCode, 500);
    assert.match(drifted.body, /must NOT have additional properties/);
    assert.equal((await app.inject('/fine')).statusCode, 200);
    await app.close();
  });

  it('a status the route does not declare fails the request too, a refusal included', async () => {
    const app = Fastify();
    installResponseChecks(app);
    const error = { type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } };
    app.get('/refuses', { schema: { response: { 200: { type: 'object' }, 500: error } } }, async (_request, reply) =>
      reply.code(413 as 500).send({ error: 'too_large' }),
    );
    app.get('/declared', { schema: { response: { 200: { type: 'object' }, 413: error } } }, async (_request, reply) =>
      reply.code(413).send({ error: 'too_large' }),
    );
    const refused = await app.inject('/refuses');
    assert.equal(refused.statusCode, 500);
    assert.match(refused.body, /answered 413, which its schema does not declare/);
    assert.equal((await app.inject('/declared')).statusCode, 413);
    await app.close();
  });

  it('every route declares the refusals all routes share', () => {
    for (const [path, operations] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(operations)) {
        const shared = ['400', '500', ...(method === 'get' ? [] : ['413', '415'])];
        for (const status of shared)
          assert.ok(operation.responses[status], `${method.toUpperCase()} ${path} does not declare ${status}`);
      }
  });

  it('describes each multipart body by exactly the parts its route reads', async () => {
    type Body = { content: Record<string, { schema: { required: string[]; properties: Record<string, unknown> } }> };
    const multipart = [
      ['/api/v1/packages', PUBLISH_READER],
      ['/api/v1/packages/@{scope}/{name}/{version}/signatures', SIGNATURE_READER],
      ['/api/v1/packages/{name}/{version}/signatures', SIGNATURE_READER],
    ] as const;
    for (const [path, reader] of multipart) {
      const operation = document.paths[path]?.post as (Operation & { requestBody?: Body }) | undefined;
      const schema = operation?.requestBody?.content['multipart/form-data']?.schema;
      assert.ok(schema, `POST ${path} has no multipart request body`);
      // A part the route reads that the document leaves out (or the other way round) fails here.
      assert.deepEqual(
        Object.keys(schema.properties).sort(),
        [...Object.keys(reader.files), ...Object.keys(reader.fields)].sort(),
        `POST ${path}`,
      );
    }
    // And the routes read exactly those: each documented part is taken, any other refused by name.
    const token = await registry.token('alice');
    await registry.client(token).publish(await packPackage('@acme/parts', '1.0.0'), []);
    const post = async (path: string, name: string, file: boolean) => {
      const form = new FormData();
      if (file) form.append(name, new Blob([new Uint8Array([1, 2, 3])]), 'x');
      else form.append(name, 'sigstore');
      const answer = await fetch(`${registry.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: form,
      });
      return ((await answer.json()) as { message: string }).message;
    };
    for (const [path, reader] of [
      ['/api/v1/packages', PUBLISH_READER],
      ['/api/v1/packages/@acme/parts/1.0.0/signatures', SIGNATURE_READER],
    ] as const) {
      for (const name of Object.keys(reader.files))
        assert.doesNotMatch(await post(path, name, true), /unexpected/, `${path}: file ${name}`);
      for (const name of Object.keys(reader.fields))
        assert.doesNotMatch(await post(path, name, false), /unexpected/, `${path}: field ${name}`);
      assert.match(await post(path, 'undeclared', false), /unexpected field "undeclared"/);
      assert.match(await post(path, 'undeclared', true), /unexpected file "undeclared"/);
    }
  });
});
