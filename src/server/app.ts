import helmet from 'helmet';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyReply, RouteOptions } from 'fastify';
import type { RegistryContext } from './context.ts';
import { ApiFailure, errorBody, installErrorHandling } from './errors.ts';
import { installRateLimits } from './limits/rate-limits.ts';
import type { RateLimits } from './limits/rate-limits.ts';
import { installOpenApi } from './openapi.ts';
import { operationsPlugin, RegistryMetrics } from './operations.ts';
import { installReadCache } from './cached-reads.ts';
import { FAST_READS_ENV, FastReads, headersOf } from './fast-reads.ts';
import { FastReadsLog, requestIds } from './fast-reads-log.ts';
import { checkRawRequest, installJsonBodies } from './request-checks.ts';
import { installResponseChecks } from './response-checks.ts';
import { approvalsPlugin } from './routes/approvals.ts';
import { auditPlugin } from './routes/audit.ts';
import { evalResultsPlugin } from './routes/eval-results.ts';
import { ownersPlugin } from './routes/owners.ts';
import { packagesPlugin } from './routes/packages.ts';
import { MAX_BODY, publishPlugin } from './routes/publish.ts';
import { registryPlugin } from './routes/registry.ts';
import { signersPlugin } from './routes/signers.ts';
import { scopesPlugin } from './routes/scopes.ts';
import { tagsPlugin } from './routes/tags.ts';
import { tokensPlugin } from './routes/tokens.ts';
import { usersPlugin } from './routes/users.ts';
import { versionsPlugin } from './routes/versions.ts';
import { SHARED_SCHEMAS } from './schemas.ts';
import { markUsed } from './tokens.ts';
import { DEFAULT_CONNECTION_CAPS, refusalsTold } from './connection-caps.ts';
import type { ConnectionCaps, RefusalReport } from './connection-caps.ts';
import { DEFAULT_TIMEOUTS, serverFactory } from './transport.ts';
import type { FrontDoor, ShedReport, Timeouts, TlsFiles } from './transport.ts';
import { DEFAULT_UPLOAD_BUDGET_BYTES, installUploadBudget, UploadBudget } from './upload-budget.ts';
import { buildValidator } from './validation.ts';

export type { RateLimits } from './limits/rate-limits.ts';

export interface AppOptions {
  /** Where the structured (JSON, one per line) request log goes; none without it. */
  log?: ((line: string) => void) | undefined;
  rateLimits?: RateLimits | undefined;
  /** Check every JSON answer against the schema its route declares (tests turn this on); a mismatch is a 500. */
  checkResponses?: boolean | undefined;
  /** How long a client may take; DEFAULT_TIMEOUTS where not given. */
  timeouts?: Partial<Timeouts> | undefined;
  /** Serve HTTPS (with HSTS) with this certificate and key. */
  tls?: TlsFiles | undefined;
  /** Whose X-Forwarded-* headers to believe (see `trustProxyOf`); none by default. */
  trustProxy?: string[] | undefined;
  /** The bytes of uploads read at once, in all (UploadBudget); DEFAULT_UPLOAD_BUDGET_BYTES where not given. */
  uploadBudgetBytes?: number | undefined;
  /** Connections held at once (connection-caps.ts); DEFAULT_CONNECTION_CAPS where not given, none per address behind a proxy. */
  connections?: Partial<ConnectionCaps> | undefined;
  /** Tests only: how far a listing by page goes (LIST_CAP) and the rate limits' window (a minute). */
  testing?: { listCap?: number | undefined; rateLimitWindowMs?: number | undefined } | undefined;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'] as const;

/**
 * AAM's HTTP registry (spec §3) as a Fastify app: one plugin per resource,
 * each route declaring its JSON schemas (validation, serialization and the
 * OpenAPI document come from them), `onRequest` hooks for who may, and
 * `preHandler` hooks for ownership, so a handler only runs — and only writes —
 * once both have passed. Stateless: everything lives in the database and the
 * blob store, so any number of instances can serve one registry.
 */
export async function buildRegistryApp(ctx: RegistryContext, options: AppOptions = {}): Promise<FastifyInstance> {
  const { log } = options;
  // Who hears of a slow body cut off under Fastify (transport.ts): the log and the metrics, once they exist.
  const sheds: ShedReport & RefusalReport = { shed: () => {}, refused: () => {} };
  const caps: ConnectionCaps = {
    total: options.connections?.total ?? DEFAULT_CONNECTION_CAPS.total,
    // Behind a reverse proxy every connection comes from it: the proxy caps its clients.
    perAddress:
      options.connections?.perAddress ??
      (options.trustProxy === undefined ? DEFAULT_CONNECTION_CAPS.perAddress : false),
  };
  // Cache hits answered in front of Fastify (fast-reads.ts), once the cache and the metrics exist.
  const front: FrontDoor = {};
  // Request ids like Fastify's own, from one counter that the fast path draws from too.
  const nextRequestId = requestIds();
  // helmet's middlewares, once made (installSecurityHeaders): the router's own refusals set them too.
  let security: ReturnType<typeof installSecurityHeaders> | undefined;
  const app = Fastify({
    logger: log ? { level: 'info', stream: { write: (line: string) => log(line.trimEnd()) } } : false,
    genReqId: nextRequestId,
    bodyLimit: 64 * 1024,
    // A slow or stalled client is shed within seconds (transport.ts).
    serverFactory: serverFactory({ ...DEFAULT_TIMEOUTS, ...options.timeouts }, options.tls, sheds, front, caps),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
    forceCloseConnections: true,
    return503OnClosing: true,
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors: (error, request, reply) => {
      const send = () =>
        void (reply as FastifyReply).code(400).send(errorBody(new ApiFailure(400, 'bad_request', error.message)));
      // Refused by the router (a bad percent-escape, say), before the hook that sets helmet's headers: set here.
      const headers = security && (request.protocol === 'https' ? security.overHttps : security.plain);
      if (headers) headers(request.raw, reply.raw, send);
      else send();
    },
  });
  app.decorate('registry', ctx);
  app.decorateRequest('caller', null);
  app.decorateRequest('pkg', null);
  installErrorHandling(app);
  security = installSecurityHeaders(app);
  app.removeContentTypeParser('application/json');
  installJsonBodies(app);
  app.addHook('onRequest', async (request) => checkRawRequest(request));
  app.addHook('onSend', async (_request, reply) => {
    // Answers that can be revalidated (an ETag) say so themselves; every other JSON answer is not kept.
    if (
      String(reply.getHeader('content-type') ?? '').startsWith('application/json') &&
      !reply.hasHeader('cache-control')
    )
      reply.header('cache-control', 'no-store');
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  // Before the answer leaves: a client that has its answer sees every write the request made.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.caller && reply.statusCode < 400) await markUsed(ctx.db, request.caller.tokenId);
    return payload;
  });

  // Every route's methods, so a known path asked with another method is a 405 rather than a 404.
  const methods = new Map<string, Set<string>>();
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat())
      methods.set(route.url, (methods.get(route.url) ?? new Set()).add(method));
  });
  const metrics = new RegistryMetrics();
  metrics.install(app);
  sheds.shed = (client) => {
    app.log.warn(client, 'request body too slow: cut off with a 408');
    metrics.shed(client.reason);
  };
  sheds.refused = refusalsTold(
    (fields, message) => app.log.warn(fields, message),
    (cap) => metrics.refusedConnection(cap),
    caps,
  );
  await installRateLimits(
    app,
    options.rateLimits ?? {},
    (kind) => metrics.rateLimited(kind),
    options.testing?.rateLimitWindowMs,
  );
  installUploadBudget(app, new UploadBudget(options.uploadBudgetBytes ?? DEFAULT_UPLOAD_BUDGET_BYTES), MAX_BODY);
  await installReadCache(app);
  if (options.checkResponses) installResponseChecks(app);
  await installOpenApi(app);

  for (const plugin of [
    operationsPlugin(metrics),
    registryPlugin,
    (async (child: FastifyInstance) =>
      packagesPlugin(child, { listCap: options.testing?.listCap })) as typeof registryPlugin,
    versionsPlugin,
    publishPlugin,
    signersPlugin,
    tagsPlugin,
    ownersPlugin,
    scopesPlugin,
    approvalsPlugin,
    evalResultsPlugin,
    auditPlugin,
    usersPlugin,
    tokensPlugin,
  ])
    await app.register(plugin);

  for (const [url, known] of [...methods]) {
    const others = METHODS.filter((m) => !known.has(m));
    // Taken now: registering the 405 route adds its own methods to `known`.
    const allow = [...METHODS.filter((m) => known.has(m)), ...(known.has('GET') ? ['HEAD'] : [])].join(', ');
    if (others.length > 0 && known.size > 0)
      app.route({
        method: others,
        url,
        schema: { hide: true },
        handler: async (request, reply) => {
          // RFC 9110 §15.5.6: a 405 says which methods the resource takes.
          reply.header('allow', allow);
          throw new ApiFailure(405, 'method_not_allowed', `${request.method} is not allowed here.`);
        },
      });
  }
  // With a request log, the fast path writes Fastify's lines for its answers (fast-reads-log.ts).
  if (process.env[FAST_READS_ENV] !== 'off') {
    const fast = new FastReads({
      reads: app.reads,
      security: { http: headersOf(security.plain), https: headersOf(security.overHttps) },
      trustProxy: options.trustProxy !== undefined,
      log: log ? new FastReadsLog(app.log, nextRequestId) : undefined,
      closing: fastifyClosing(app),
      answered: (route, method, status, seconds) => metrics.answered(route, method, status, seconds),
    });
    front.answer = (request, response) => fast.answer(request, response);
  }
  return app;
}

/**
 * Fastify's own "closing" flag (set when `close` begins; from then on it
 * answers 503): not public API, so found by its symbol's name, and a
 * Fastify without it is refused at start rather than read wrong.
 */
function fastifyClosing(app: FastifyInstance): () => boolean {
  const key = Object.getOwnPropertySymbols(app).find((symbol) => symbol.description === 'fastify.state');
  const state = key && (app as unknown as Record<symbol, { closing?: unknown }>)[key];
  if (typeof state?.closing !== 'boolean')
    throw new Error("Fastify's closing state is not where fast-reads.ts reads it.");
  return () => state.closing === true;
}

/** HSTS as §9.1 words it: a year, subdomains included (and not preloaded: that is the operator's call). */
const HSTS = { maxAge: 31_536_000, includeSubDomains: true, preload: false };

/** The headers every answer carries (see installSecurityHeaders). */
const SECURITY_HEADERS = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
  strictTransportSecurity: false,
} as const;

/**
 * Security headers from helmet, set for a JSON API (OWASP's REST cheat
 * sheet): nothing may be loaded or framed by an answer (CSP
 * `default-src 'none'; frame-ancestors 'none'`, X-Frame-Options DENY), no
 * sniffing, no referrer, same-origin resources. HSTS only on answers that
 * went over HTTPS — directly, or through a trusted proxy that says so — as
 * over plain HTTP it would pin a browser to a port that does not speak TLS.
 * helmet's middleware is made once for each case (@fastify/helmet made it
 * anew, parsing the policy, on every request).
 */
function installSecurityHeaders(app: FastifyInstance) {
  const plain = helmet(SECURITY_HEADERS);
  const overHttps = helmet({ ...SECURITY_HEADERS, strictTransportSecurity: HSTS });
  app.addHook('onRequest', (request, reply, done) => {
    (request.protocol === 'https' ? overHttps : plain)(request.raw, reply.raw, (error) =>
      done(error === undefined ? undefined : (error as Error)),
    );
  });
  // The same two, for the fast path's answers (fast-reads.ts).
  return { plain, overHttps };
}
