import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { signWithSigstore } from '../../../src/core/sigstore/sign.ts';
import { discover, redeemCode } from '../../../src/core/sigstore/identity/oauth-flow.ts';

/**
 * The identity token, and a sign-in's code and verifier, are not sent in clear text: not to an
 * http:// Fulcio or sign-in service on another host (whoever reads the token on the way gets a
 * certificate in the signer's name). Plain http stays for an instance on this machine. 192.0.2.1
 * (TEST-NET-1) is never reached: the refusal comes first.
 */
describe('Sigstore secrets over plain http', () => {
  it('signing asks for no identity token when Fulcio is http:// on another host', async () => {
    let asked = 0;
    await assert.rejects(
      signWithSigstore(Buffer.from('archive'), {
        endpoints: { fulcio: 'http://192.0.2.1:8080', rekor: 'http://192.0.2.1:8080', tsa: undefined },
        identityProvider: { getToken: async () => (asked++, 'token') },
      }),
      /Fulcio is at http:\/\/192\.0\.2\.1:8080: plain http to another host, so your identity token is not sent/,
    );
    assert.equal(asked, 0);
  });

  it('sign-in refuses an http:// issuer on another host, and an http:// token endpoint its document names', async () => {
    await assert.rejects(
      discover('http://192.0.2.1/auth'),
      /The sign-in service is at http:\/\/192\.0\.2\.1\/auth: plain http/,
    );
    const discovery = {
      authorization_endpoint: 'https://issuer.example/auth',
      token_endpoint: 'http://192.0.2.1/token',
    };
    await assert.rejects(
      redeemCode(discovery as never, 'code', {
        redirectUri: 'http://127.0.0.1:1/callback',
        verifier: 'v',
        clientId: 'sigstore',
        nonce: 'n',
      } as never),
      /token endpoint is at http:\/\/192\.0\.2\.1\/token: plain http to another host, so the sign-in code is not sent/,
    );
  });
});
