import type { FastifyInstance, RouteOptions } from 'fastify';
import { API_PREFIX } from '../../core/registry/http-api.ts';
import { NAME_PATTERN, SCOPE_PATTERN, TAG_PATTERN, VERSION_PATTERN } from '../schemas.ts';

export const VERSION_PARAM = { type: 'string', pattern: VERSION_PATTERN, maxLength: 64 } as const;
export const TAG_PARAM = { type: 'string', pattern: TAG_PATTERN } as const;

type PackageRouteOptions = Omit<RouteOptions, 'url'> & {
  /** What follows the package's name in the path, e.g. `/:version/download`. */
  path: string;
  /** The schemas of the path's parameters after the name. */
  params?: Record<string, object>;
};

/**
 * Declares a package route twice, as the spec's §3.2 table does: scoped
 * (`/packages/@{scope}/{name}…`) and unscoped (`/packages/{name}…`). The
 * router tries the static `@` first, so `@scope/name` is never read as
 * `name/version`.
 */
export function packageRoutes(
  app: FastifyInstance,
  { path, params = {}, schema = {}, ...route }: PackageRouteOptions,
): void {
  for (const scoped of [true, false])
    app.route({
      ...route,
      url: `${API_PREFIX}/packages/${scoped ? '@:scope/' : ''}:name${path}`,
      schema: {
        ...schema,
        params: {
          type: 'object',
          required: [...(scoped ? ['scope'] : []), 'name', ...Object.keys(params)],
          additionalProperties: false,
          properties: {
            ...(scoped ? { scope: { type: 'string', pattern: SCOPE_PATTERN } } : {}),
            name: { type: 'string', pattern: NAME_PATTERN },
            ...params,
          },
        },
      },
    });
}
