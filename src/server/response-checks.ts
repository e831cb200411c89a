import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import { SHARED_SCHEMAS } from './schemas.ts';
import { addFormats } from './schema-formats.ts';

/** Turns the checks on in a `registry serve` process a test starts (never set in production). */
export const CHECK_RESPONSES_ENV = 'AAM_REGISTRY_CHECK_RESPONSES';

type Declared = Record<string, unknown>;

/**
 * Holds every JSON answer to the schema its route declares, before it is
 * serialized (the serializer would silently drop a field the schema does not
 * name, and fail on a missing one only sometimes). Tests turn it on, so each
 * answer they see is one the OpenAPI document describes: a status the route
 * does not declare, or a body its schema refuses, is a 500 naming the route,
 * the status and the first difference. Routes that declare no answers at all
 * (/metrics, the document itself, the 405s) are not held to anything.
 */
export function installResponseChecks(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: false, strict: false });
  addFormats(ajv);
  for (const schema of SHARED_SCHEMAS) ajv.addSchema(schema);
  app.addHook('onRoute', (route: RouteOptions) => {
    const schema = route.schema as { response?: Declared } | undefined;
    if (!schema?.response) return;
    // Read at the first answer, not now: later onRoute hooks add the statuses every route shares (openapi.ts).
    let validators: Map<number, ValidateFunction | 'unchecked'> | undefined;
    const validatorsOf = (declared: Declared) => {
      const made = new Map<number, ValidateFunction | 'unchecked'>();
      for (const [status, answer] of Object.entries(declared))
        made.set(
          Number(status),
          answer &&
            typeof answer === 'object' &&
            !('content' in answer) &&
            (answer as { type?: unknown }).type !== 'null'
            ? ajv.compile(answer)
            : 'unchecked',
        );
      return made;
    };
    const check = async (_request: unknown, reply: FastifyReply, payload: unknown) => {
      validators ??= validatorsOf(schema.response!);
      const status = reply.statusCode;
      const validate = validators.get(status);
      const wrong = !validate
        ? `${String(route.method)} ${route.url} answered ${status}, which its schema does not declare.`
        : validate !== 'unchecked' && !validate(payload)
          ? `${String(route.method)} ${route.url} answered ${status} with a body its schema refuses: ${ajv.errorsText(validate.errors)} (${JSON.stringify(payload).slice(0, 300)})`
          : undefined;
      if (wrong === undefined) return payload;
      // A 500, whichever error handler answers: Fastify's own keeps a status of 400 or more as it was,
      // and a refusal whose answer is wrong must not pass for the refusal.
      reply.code(500);
      throw Object.assign(new Error(wrong), { statusCode: 500 });
    };
    route.preSerialization = [...[route.preSerialization ?? []].flat(), check] as RouteOptions['preSerialization'];
  });
}
