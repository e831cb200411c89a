import type { FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler } from 'fastify';
import { packageName } from './context.ts';
import type { Queryable } from './db.ts';
import { ApiFailure, unauthorized } from './errors.ts';
import { requireOwner, requirePackage } from './store/packages.ts';
import { authenticate, isOperator } from './tokens.ts';
import type { Caller, Scope, TokenKind } from './tokens.ts';

/**
 * Who may do what, kept apart from what the routes do: `onRequest` hooks
 * that run before a body is read, so a request without the right token is
 * refused before anything of it is parsed, let alone stored.
 */

const callers = new WeakMap<FastifyRequest, Promise<Caller | undefined>>();

/** Who a request's token speaks for, if anyone: looked up once per request (auth and rate limits both ask). */
export function callerFor(request: FastifyRequest, db: Queryable): Promise<Caller | undefined> {
  let caller = callers.get(request);
  if (!caller) {
    caller = authenticate(db, request.headers.authorization);
    callers.set(request, caller);
  }
  return caller;
}

/** A live token of this registry, of `kind` when given, with `scope` when given (the operator's has every scope). */
export function requireToken(options: { scope?: Scope; kind?: TokenKind } = {}): onRequestAsyncHookHandler {
  return async function (request) {
    const caller = await callerFor(request, this.registry.db);
    if (!caller) throw unauthorized();
    if (options.kind && caller.kind !== options.kind)
      throw new ApiFailure(
        403,
        'forbidden',
        options.kind === 'session'
          ? 'This needs a session token: log in with your password (POST /api/v1/users/login) first.'
          : 'A session token does not do this: use an API token (POST /api/v1/users/tokens).',
      );
    const { scope } = options;
    if (scope && scope !== 'read' && caller.kind === 'session')
      throw new ApiFailure(
        403,
        'forbidden',
        `A session token (from a login) cannot ${scope}: create an API token with the "${scope}" scope.`,
      );
    if (scope && !caller.scopes.has(scope) && !isOperator(caller))
      throw new ApiFailure(403, 'forbidden', `This token lacks the "${scope}" scope.`, {
        reason: 'missing_scope',
        scope,
      });
    request.caller = caller;
  };
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized();
  return request.caller;
}

/**
 * The package the path names exists and the caller owns it (`preHandler`:
 * after the body is validated, before the handler writes anything). The
 * handler's transaction checks again under the package's row lock.
 */
export const requirePackageOwner: preHandlerAsyncHookHandler = async function (request) {
  const name = packageName(request.params);
  const pkg = await requirePackage(this.registry.db, name);
  await requireOwner(this.registry.db, callerOf(request), pkg, name);
  request.pkg = pkg;
};

/** The route's security requirement in the OpenAPI document. */
export const BEARER = [{ bearer: [] }];
