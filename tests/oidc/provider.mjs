// A real OpenID Provider (npm oidc-provider) for the tests, on a free loopback port.
//
// Environment:
//   OIDC_HOST          host to listen on and put in the issuer (default 127.0.0.1)
//   OIDC_CLIENT        JSON {client_id, client_secret, redirect_uris, post_logout_redirect_uris}
//   OIDC_CLOCK_SKEW_S  seconds added to the clock while tokens are issued (negative:
//                      a provider whose clock is behind, so its ID tokens arrive expired)
//
// Prints "listening <issuer>" on stdout once it accepts requests. The dev interactions
// (login form, then consent) are oidc-provider's own; any login with any password works,
// and the typed login becomes the `sub`. A login that ends in 12 digits ("greta-
// 194812249987") is that person's personnummer, given in the Swedish OIDC claim when the
// client asks for its scope, as a BankID broker would.
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', 'e2e', 'package.json'));
const { default: Provider } = await import(require.resolve('oidc-provider'));

const host = process.env.OIDC_HOST || '127.0.0.1';
const client = JSON.parse(process.env.OIDC_CLIENT);
const skewMs = Number(process.env.OIDC_CLOCK_SKEW_S || 0) * 1000;
// The Swedish OIDC claims specification (oidc-sweden): scope and claim of a personnummer.
const PERSONNUMMER_SCOPE = 'https://id.oidc.se/scope/naturalPersonNumber';
const PERSONNUMMER_CLAIM = 'https://id.oidc.se/claim/personalIdentityNumber';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, host, resolve));
const issuer = `http://${host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris || [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'locale'],
    [PERSONNUMMER_SCOPE]: [PERSONNUMMER_CLAIM],
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const personnummer = /(\d{12})$/.exec(id);
        return {
          sub: id,
          name: `Test ${id}`,
          locale: 'sv-SE',
          ...(personnummer ? { [PERSONNUMMER_CLAIM]: personnummer[1] } : {}),
        };
      },
    };
  },
});

if (skewMs) {
  // Only token issuance sees the skewed clock: cookies and interactions stay valid.
  const realNow = Date.now;
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/token') return next();
    Date.now = () => realNow() + skewMs;
    try {
      await next();
    } finally {
      Date.now = realNow;
    }
  });
}

server.on('request', provider.callback());
process.stdout.write(`listening ${issuer}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => process.exit(0));
