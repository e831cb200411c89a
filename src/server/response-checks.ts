import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { SHARED_SCHEMAS } from './schemas.ts';
import { addFormats } from './schema-formats.ts';

/**
 * Holds every JSON answer to the schema its route declares, before it is
 * serialized (the serializer would silently drop a field the schema does not
 * name, and fail on a missing one only sometimes). Tests turn it on, so each
 * answer they see is one the OpenAPI document describes; a mismatch is a 500
 * naming the route, the status and the first difference.
 */
export function installResponseChecks(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
  app.addHook('onRoute', (route: RouteOptions) => {
    const declared = (route.schema as { response?: Record<string, unknown> } | undefined)?.response;
    if (!declared) return;
    const validators = new Map<number, ValidateFunction>();
    for (const [status, schema] of Object.entries(declared))
      if (
        schema &&
        typeof schema === 'object' &&
        !('content' in schema) &&
        (schema as { type?: unknown }).type !== 'null'
      )
        validators.set(Number(status), ajv.compile(schema));
    const check = async (_request: unknown, reply: { statusCode: number }, payload: unknown) => {
      const validate = validators.get(reply.statusCode);
      if (!validate) {
        if (reply.statusCode < 400)
          throw new Error(
            `${route.method} ${route.url} answered ${reply.statusCode}, which its schema does not declare.`,
          );
        return payload;
      }
      if (!validate(payload))
        throw new Error(
          `${route.method} ${route.url} answered ${reply.statusCode} with a body its schema refuses: ${ajv.errorsText(validate.errors)} (${JSON.stringify(payload).slice(0, 300)})`,
        );
      return payload;
    };
    route.preSerialization = [...[route.preSerialization ?? []].flat(), check] as RouteOptions['preSerialization'];
  });
}
