import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** An error the API answers with: the spec's `{ error, message }` and an HTTP status (Appendix A). */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const unauthorized = () =>
  new ApiFailure(401, 'unauthorized', 'Missing or invalid token: send Authorization: Bearer aam_…');

/** Which spec code a refused path parameter gets: a name and a version say what they are. */
const PARAM_CODES: Record<string, string> = { scope: 'invalid_name', name: 'invalid_name', version: 'invalid_version' };

/** Fastify's own refusals (body too large, wrong media type, bad JSON, a schema), in the spec's error shape. */
function fromFramework(error: FastifyError): ApiFailure | undefined {
  if (error.validation) {
    const first = error.validation[0];
    const field = `${error.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
    const param = error.validationContext === 'params' ? first?.instancePath.slice(1) : undefined;
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const extra = (first?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
    const what = missing
      ? `${field}/${missing} is required`
      : extra
        ? `${field}/${extra} is not allowed here`
        : `${field} ${first?.message ?? 'is not valid'}`;
    return new ApiFailure(
      400,
      (param && PARAM_CODES[param]) ?? 'bad_request',
      `The request is refused: ${what}.`,
      error.validation.map((e) => ({ field: `${field}${e === first ? '' : e.instancePath}`, error: e.message })),
    );
  }
  const status = error.statusCode ?? 500;
  if (status >= 500) return undefined;
  const code =
    status === 413
      ? 'too_large'
      : status === 415
        ? 'unsupported_media_type'
        : status === 429
          ? 'rate_limited'
          : 'bad_request';
  return new ApiFailure(status, code, error.message);
}

/**
 * One error shape for every refusal: the spec's `{ error, message, details? }`.
 * A failure the registry did not mean is a 500 whose cause stays in its log.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const failure = error instanceof ApiFailure ? error : fromFramework(error);
    if (!failure) request.log.error({ err: error }, 'request failed');
    const answer =
      failure ?? new ApiFailure(500, 'internal_error', 'The registry failed to answer; the error is in its log.');
    // What is left of a refused upload is read and dropped (within the request timeout), never kept:
    // a client still sending gets its answer instead of a broken pipe.
    if (!request.raw.complete) request.raw.resume();
    return reply.code(answer.status).send(errorBody(answer));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send(errorBody(new ApiFailure(404, 'not_found', `Nothing at ${request.url.split('?')[0]}.`))),
  );
}

export function errorBody(failure: ApiFailure): { error: string; message: string; details?: unknown } {
  return {
    error: failure.code,
    message: failure.message,
    ...(failure.details === undefined ? {} : { details: failure.details }),
  };
}

/** The spec's error body, declared once for the OpenAPI document. */
export const ERROR_SCHEMA = {
  $id: 'Error',
  type: 'object',
  required: ['error', 'message'],
  additionalProperties: false,
  properties: {
    error: { type: 'string', description: 'A code from the spec’s Appendix A (or this registry’s own).' },
    message: { type: 'string' },
    details: {},
  },
} as const;
