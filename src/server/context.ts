import type { KeyObject } from 'node:crypto';
import type { TrustRootSource } from '../core/sigstore/trusted-root.ts';
import type { BlobStore } from './blobs.ts';
import type { Database } from './db.ts';
import type { PackageRow } from './store/packages.ts';
import type { Caller } from './tokens.ts';

/** What every route of the registry works with: storage, trust material and the registry's key. */
export interface RegistryContext {
  db: Database;
  blobs: BlobStore;
  /** Trust material for checking uploaded Sigstore bundles. */
  sigstoreRoot: TrustRootSource;
  /** The registry's ECDSA P-256 key: it signs attestations and the audit log's head. */
  key: KeyObject;
  /**
   * The SHA-256 of the key this instance wrote to its data folder (0600) for
   * `registry token create` on the same machine while it serves an embedded
   * database, which one process at a time may open.
   */
  adminKeyHash?: string | undefined;
}

/**
 * Routes limited per client address, in requests a minute (spec §9.3 suggests search 100, download 1000, publish 10,
 * auth 20); `write` is this registry's own: the other writes that append to the audit log (tags, yank, owners,
 * approvals, delegations).
 */
export type RateLimitKind = 'search' | 'download' | 'publish' | 'auth' | 'write';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which of the registry's rate limits applies to the route. */
    rateLimitKind?: RateLimitKind;
    /** Whether a request of the route counts against its limit (default: every one). */
    rateLimitWhen?: (request: FastifyRequest) => boolean;
  }
  interface FastifyInstance {
    registry: RegistryContext;
  }
  interface FastifyRequest {
    /** Who sent the request, once an `onRequest` auth hook has checked their token. */
    caller: Caller | null;
    /** The package a route acts on, once the ownership hook has found it and checked the caller owns it. */
    pkg: PackageRow | null;
  }
}

/** The package a route's path names: `@scope/name` or `name`. */
export function packageName(params: unknown): string {
  const { scope, name } = params as { scope?: string; name: string };
  return scope === undefined ? name : `@${scope}/${name}`;
}
