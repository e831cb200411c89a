import { AamError, messageOf } from '../errors.ts';
import { API_PREFIX } from './http-api.ts';
import type { HttpTransport } from './http-transport.ts';
import type { Listing, PackageMetadata } from './metadata.ts';

/** Packages a page after a name (the server's most), and a page by page (an older server's). */
const AFTER_LIMIT = 1_000;
const PAGE_LIMIT = 100;
/** Metadata read at once. */
const CONCURRENCY = 8;

/**
 * Every package of an HTTP registry and its metadata, or what could not be
 * read and why. The names are listed after a name (keyset, no cap); a server
 * from before that (it refuses `after`, or answers pages without `next`) is
 * read page by page, and when it caps that listing the notice says how far
 * it went. A package whose metadata cannot be read is in `unreadable`, never
 * left out silently.
 */
export async function listHttpRegistry(
  http: HttpTransport,
  registry: string,
  metadata: (name: string) => Promise<PackageMetadata | undefined>,
): Promise<Listing> {
  const notices: string[] = [];
  const names = (await namesAfter(http)) ?? (await namesByPage(http, registry, notices));
  const read: (PackageMetadata | { name: string; reason: string })[] = new Array(names.length);
  let next = 0;
  const work = async () => {
    for (let i = next++; i < names.length; i = next++) {
      const name = names[i]!;
      read[i] = await metadata(name).then(
        (m) => m ?? { name, reason: 'the registry lists it but has no metadata for it (HTTP 404)' },
        (error: unknown) => ({ name, reason: messageOf(error) }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  const packages = read.filter((r): r is PackageMetadata => 'versions' in r);
  const unreadable = read.filter((r): r is { name: string; reason: string } => !('versions' in r));
  for (const { name, reason } of unreadable)
    notices.push(
      `Package ${name} of registry "${registry}" could not be read, so none of its versions is counted: ${reason}`,
    );
  return { packages, unreadable, notices };
}

/** Every name, listed after a name; undefined when the server does not list that way. */
async function namesAfter(http: HttpTransport): Promise<string[] | undefined> {
  const names: string[] = [];
  const asked = new Set<string>();
  for (let after = ''; ;) {
    asked.add(after);
    const response = await http.request(
      `${API_PREFIX}/packages?after=${encodeURIComponent(after)}&limit=${AFTER_LIMIT}`,
      { pass: [400] },
    );
    // A server from before `after` refuses it (400) or does not know it (no `next`).
    if (!response || response.status === 400) {
      await response?.body?.cancel();
      return undefined;
    }
    const body = (await http.parse(response)) as { packages?: { name?: unknown }[]; next?: unknown };
    if (!('next' in body) && after === '') return undefined;
    names.push(...namesIn(body.packages));
    if (typeof body.next !== 'string') return names;
    // A next asked for before would list forever.
    if (asked.has(body.next))
      throw new AamError(
        'REGISTRY_ERROR',
        `Registry "${http.name}" lists its packages in a loop (after "${after}" it sends back to "${body.next}").`,
      );
    after = body.next;
  }
}

/** Every name an older server lists page by page; a notice when it stops short (its cap). */
async function namesByPage(http: HttpTransport, registry: string, notices: string[]): Promise<string[]> {
  const names: string[] = [];
  for (let page = 1; ; page++) {
    const body = (await http.json(`${API_PREFIX}/packages?page=${page}&limit=${PAGE_LIMIT}`)) as {
      packages?: { name?: unknown }[];
      pages?: unknown;
      total?: unknown;
      total_capped?: unknown;
    };
    names.push(...namesIn(body.packages));
    if (typeof body.pages !== 'number' || page >= body.pages) {
      if (body.total_capped === true)
        notices.push(
          `Registry "${registry}" lists only its first ${names.length} packages (it has more): the others are not in this report. A newer registry server lists every package.`,
        );
      return names;
    }
  }
}

function namesIn(packages: unknown): string[] {
  return (Array.isArray(packages) ? (packages as { name?: unknown }[]) : []).flatMap((p) =>
    typeof p?.name === 'string' ? [p.name] : [],
  );
}
