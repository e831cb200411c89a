import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readKeys } from 'openpgp';
import { wkdHash } from '../src/core/openpgp/discovery.ts';

/**
 * A small OpenPGP key server on 127.0.0.1, for tests and the demo (the
 * public ones are out of reach here): a Web Key Directory for any domain
 * (`/.well-known/openpgpkey/<domain>/hu/<hash>`, binary keys), HKP
 * (`/pks/lookup?op=get&search=…`) and the VKS API of keys.openpgp.org
 * (`/vks/v1/by-fingerprint/…`, `/vks/v1/by-email/…`), armored. `lie` makes
 * it answer a query with another key, as a hostile server would.
 */
export class LocalKeyServer {
  private readonly keys: { armored: string; binary: Uint8Array; fingerprint: string; emails: string[] }[] = [];
  private readonly lies = new Map<string, string>();
  readonly requests: string[] = [];
  private readonly server: Server;
  readonly url: string;

  private constructor(server: Server, url: string) {
    this.server = server;
    this.url = url;
  }

  static async start(): Promise<LocalKeyServer> {
    let self: LocalKeyServer | undefined;
    const server = createServer((req, res) => {
      const answer = self!.answer(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(answer ? 200 : 404, { 'content-type': 'application/pgp-keys' }).end(answer ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    self = new LocalKeyServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return self;
  }

  /** Serves an armored public key under its fingerprint and every email of its user IDs. */
  async add(armored: string): Promise<void> {
    for (const key of await readKeys({ armoredKeys: armored })) {
      const emails = key.getUserIDs().map((uid) => (/<([^<>]+)>\s*$/.exec(uid)?.[1] ?? uid).toLowerCase());
      this.keys.push({
        armored: key.armor(),
        binary: key.write(),
        fingerprint: key.getFingerprint().toUpperCase(),
        emails,
      });
    }
  }

  /** Answers `query` (an email, or a fingerprint) with this armored key instead, whatever it is. */
  lie(query: string, armored: string): void {
    this.lies.set(query.toLowerCase(), armored);
  }

  private answer(url: URL): string | Uint8Array | undefined {
    this.requests.push(`${url.pathname}${url.search}`);
    const wkd = /^\/\.well-known\/openpgpkey\/([^/]+)\/hu\/([a-z0-9]+)$/.exec(url.pathname);
    if (wkd) {
      const email = `${url.searchParams.get('l') ?? ''}@${wkd[1]}`.toLowerCase();
      const lie = this.lies.get(email);
      if (lie) return lie;
      const key = this.keys.find((k) => k.emails.includes(email) && wkdHash(email.split('@')[0]!) === wkd[2]);
      return key?.binary;
    }
    let query: string | undefined;
    if (url.pathname === '/pks/lookup' && url.searchParams.get('op') === 'get')
      query = (url.searchParams.get('search') ?? '').replace(/^0x/i, '');
    const vks = /^\/vks\/v1\/by-(fingerprint|email)\/(.+)$/.exec(url.pathname);
    if (vks) query = decodeURIComponent(vks[2]!);
    if (query === undefined) return undefined;
    const lie = this.lies.get(query.toLowerCase());
    if (lie) return lie;
    return this.keys.find((k) => k.fingerprint === query!.toUpperCase() || k.emails.includes(query!.toLowerCase()))
      ?.armored;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
