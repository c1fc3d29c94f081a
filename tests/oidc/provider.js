#!/usr/bin/env node
// A real OpenID Connect provider (the certified `oidc-provider` package) for the FranceConnect tests.
//
// It plays FranceConnect on this machine, offline: one confidential client, one citizen account with
// FranceConnect's identity claims, and the package's development login/consent pages (any password is
// accepted: the login field is the account id).
//
// Usage: node tests/oidc/provider.js --port 9000 --client-id demarches --client-secret s3cret \
//          --redirect-uri http://127.0.0.1:8000/comptes/oidc/franceconnect/login/callback/
// Every option can also come from the environment: OIDC_PORT, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET,
// OIDC_REDIRECT_URI (several URIs separated by commas), OIDC_ACCOUNT (JSON claims of the test account,
// "sub" being the id typed on the login page).
// It prints "ready <issuer>" on stdout once it listens.
'use strict';

function option(name, envName, fallback) {
  const flag = `--${name}`;
  const index = process.argv.indexOf(flag);
  if (index !== -1 && index + 1 < process.argv.length) return process.argv[index + 1];
  return process.env[envName] || fallback;
}

const port = Number(option('port', 'OIDC_PORT', '9000'));
const host = option('host', 'OIDC_HOST', '127.0.0.1');
const clientId = option('client-id', 'OIDC_CLIENT_ID', 'demarches');
const clientSecret = option('client-secret', 'OIDC_CLIENT_SECRET', 'secret-de-test-franceconnect');
const redirectUris = option('redirect-uri', 'OIDC_REDIRECT_URI', 'http://127.0.0.1:8000/comptes/oidc/franceconnect/login/callback/')
  .split(',').map((uri) => uri.trim()).filter(Boolean);

// A FranceConnect identity: the "pivot identity" claims plus the e-mail.
const account = {
  sub: 'fc-angela-dubois',
  given_name: 'Angela Claire Louise',
  family_name: 'DUBOIS',
  preferred_username: '',
  gender: 'female',
  birthdate: '1962-08-24',
  birthplace: '75107',
  birthcountry: '99100',
  email: 'angela.dubois@example.fr',
  email_verified: true,
  ...JSON.parse(option('account', 'OIDC_ACCOUNT', '{}')),
};

async function main() {
  const { default: Provider } = await import('oidc-provider');
  const issuer = `http://${host}:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['given_name', 'family_name', 'preferred_username', 'gender', 'birthdate', 'birthplace', 'birthcountry'],
    },
    // Claims are served by the userinfo endpoint, as FranceConnect does.
    conformIdTokenClaims: true,
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => false },
    // Fixed keys for cookies (tests only): restarting the provider keeps browser sessions readable.
    cookies: { keys: ['cle-de-test-des-cookies-oidc'] },
    async findAccount(ctx, id) {
      if (id !== account.sub) return undefined;
      return { accountId: id, async claims() { return { ...account }; } };
    },
  });
  // Plain http on 127.0.0.1: no proxy in front.
  provider.proxy = false;
  provider.on('server_error', (ctx, error) => console.error('server_error', error));
  const server = provider.listen(port, host, () => {
    console.log(`ready ${issuer}`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
