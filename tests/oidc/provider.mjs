// A real OpenID provider for DEL's SSO tests: panva's certified oidc-provider on loopback.
//
// Usage: node provider.mjs SETTINGS.json
// SETTINGS: {"port": N, "jwks": {"keys": [private JWK]}, "client": {client metadata},
//            "accounts": "ACCOUNTS.json"}. ACCOUNTS maps each subject to its claims and is
// read again at every lookup, so a test can change a user's claims between logins.
// The dev interactions log in whatever subject is typed (any password); a grant covering
// every requested scope and claim is made at once, so no consent page is shown. Prints
// "ready <issuer>" when listening.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const settings = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${settings.port}`;
const CUSTOM_CLAIMS = ['roles', 'del_units', 'del_centre', 'del_municipality'];

function accounts() {
  return JSON.parse(readFileSync(settings.accounts, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: [settings.client],
  jwks: settings.jwks,
  pkce: { required: () => true },
  conformIdTokenClaims: false,
  claims: { openid: ['sub'], profile: ['name', 'email', ...CUSTOM_CLAIMS] },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { IdToken: 300, AccessToken: 300, Session: 3600, Interaction: 600, Grant: 3600 },
  async findAccount(ctx, sub) {
    const claims = accounts()[sub];
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { sub, ...claims }; } };
  },
  async loadExistingGrant(ctx) {
    const { Grant } = ctx.oidc.provider;
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const existing = await Grant.find(grantId);
      if (existing) return existing;
    }
    const grant = new Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email');
    grant.addOIDCClaims(['sub', 'name', 'email', ...CUSTOM_CLAIMS]);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const server = provider.listen(settings.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
