import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { ambientToken, staticToken } from '../../../src/core/sigstore/identity/providers.ts';
import { withoutTokens } from '../../../src/core/sigstore/identity/token.ts';
import { AamError } from '../../../src/core/errors.ts';
import { useLocalSigstore } from '../../helpers/sigstore.ts';
import { fakeToken } from '../../helpers/token-sink.ts';

const artifact = Buffer.from('the bytes of an .aam archive');
const claims = { iss: 'https://issuer.example', aud: 'sigstore', exp: 4102444800 };

/** Every message of an error and its causes, as anything that logs the error could print them. */
function allText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause)
    parts.push(e instanceof AamError ? `${e.message} ${e.hint ?? ''}` : String((e as Error).message ?? e));
  return parts.join('\n');
}

describe('signing never quotes the identity token in an error', () => {
  const local = useLocalSigstore();
  const sign = (token: string) =>
    signWithSigstore(artifact, { endpoints: local.endpoints(), identityProvider: staticToken(token) });

  it('an email claim without email_verified: says so in fixed words, with no token in the message or its causes', async () => {
    const token = fakeToken({ ...claims, sub: 'repo:acme/tools', email: 'release@acme.example' });
    const error = await sign(token).then(
      () => assert.fail('signed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof AamError);
    assert.equal(error.code, 'IDENTITY_TOKEN');
    assert.match(error.message, /has an email claim that its issuer has not verified \(email_verified is not true\)/);
    assert.ok(!allText(error).includes(token), allText(error));
    assert.ok(!allText(error).includes(token.split('.')[2]!), 'not even the signature part');
  });

  it('no subject at all, or no JWT: each has its own fixed message', async () => {
    await assert.rejects(sign(fakeToken(claims)), (e: AamError) => {
      assert.match(e.message, /names no subject \(it has neither an email nor a sub claim\)/);
      return !allText(e).includes('c2lnbmF0dXJl');
    });
    await assert.rejects(sign('eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJl'), (e: AamError) => {
      assert.match(e.message, /is not a readable JWT/);
      return !allText(e).includes('c2lnbmF0dXJl');
    });
  });

  describe('a Fulcio whose error message quotes the token', () => {
    let server: Server;
    let url = '';
    before(async () => {
      // A 400 whose JSON message repeats the token it was sent, as a careless or hostile service may.
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          const sent = /"oidcIdentityToken":"([^"]+)"/.exec(body)?.[1] ?? '';
          res.statusCode = 400;
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ code: 400, message: `token ${sent} is not accepted` }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    after(() => server.close());

    it('the message keeps what went wrong and hides the token', async () => {
      const token = local.instance().mintToken('alice@example.com');
      const error = await signWithSigstore(artifact, {
        endpoints: { fulcio: url, rekor: url, tsa: undefined },
        identityProvider: staticToken(token),
        retry: { retries: 0, factor: 1, minTimeout: 0, maxTimeout: 0 },
      }).then(
        () => assert.fail('signed'),
        (e: unknown) => e as AamError,
      );
      assert.equal(error.code, 'SIGSTORE_SERVICE');
      assert.match(error.message, /Fulcio at .* failed: .*\(400\) token \[identity token hidden\] is not accepted/);
      assert.ok(!error.message.includes(token));
    });
  });

  it('withoutTokens hides JWTs and JWEs, and leaves URLs, versions and dotted names alone', () => {
    const jwt = fakeToken(claims);
    assert.equal(withoutTokens(`a ${jwt}, b`), 'a [identity token hidden], b');
    assert.equal(withoutTokens(`${jwt}.more.parts`), '[identity token hidden]');
    const plain = 'https://fulcio.sigstore.dev/api/v2/signingCert failed for @acme/my-skill@1.2.0 (a.b.c)';
    assert.equal(withoutTokens(plain), plain);
  });
});

describe('ambientToken tells of each token before it is used', () => {
  it('SIGSTORE_ID_TOKEN, as given', async () => {
    const seen: [string, boolean][] = [];
    const provider = ambientToken({ SIGSTORE_ID_TOKEN: 'tok' }, (token, fetched) => seen.push([token, fetched]));
    assert.equal(await provider?.getToken(), 'tok');
    assert.deepEqual(seen, [['tok', false]]);
  });
});
