// A real OpenID Connect provider for the portal's tests: node's oidc-provider (panva), with its
// own small login page instead of the library's development one.
//
//   node idp.mjs config.json
//
// config.json (users re-read at every sign-in): {"clients": [oidc-provider client metadata, ...],
//               "users": {"anna": {"password": "...", "sub": "...", "claims": {...}}, ...},
//               "id_token_ttl": {"<client_id>": seconds, ...}}   (optional, default 3600)
//
// Listens on a free port of 127.0.0.1 and prints one line "READY <issuer>" once it serves.
// PKCE (S256) is required of every client; logout (end_session_endpoint) is offered.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

// Users are read from the file at every sign-in, so a test can change someone's groups.
const load = () => JSON.parse(readFileSync(process.argv[2], 'utf8'));
const config = load();
const findUser = (sub) => Object.values(load().users).find((u) => u.sub === sub);

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, status, title, body) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(`<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function loginForm(res, uid, { error = '', login = '' } = {}) {
  page(res, 200, 'Test-IdP: logga in', `
${error ? `<p role="alert" id="idp-fel">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="login">Användarnamn</label> <input id="login" name="login" value="${escape(login)}" autocomplete="username" required></p>
  <p><label for="password">Lösenord</label> <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">Logga in hos Test-IdP</button></p>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }),
  kid: randomBytes(8).toString('hex'),
  alg: 'RS256',
  use: 'sig',
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const ttl = config.id_token_ttl || {};

  const provider = new Provider(issuer, {
    clients: config.clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: true },
    },
    // Like Microsoft Entra ID, the groups claim comes with the ID token, no scope needed.
    claims: {
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    conformIdTokenClaims: false,
    ttl: {
      IdToken: (ctx, token, client) => ttl[client.clientId] ?? 3600,
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = findUser(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
    },
  });

  const oidc = provider.callback();
  server.on('request', async (req, res) => {
    const match = req.url.match(/^\/interaction\/([^/?]+)(\/login)?/);
    if (!match) {
      oidc(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      const { uid, prompt, params, session } = details;
      if (match[2] && req.method === 'POST') {
        const form = await readForm(req);
        const login = form.get('login') || '';
        const user = Object.hasOwn(load().users, login) ? load().users[login] : undefined;
        if (!user || user.password !== form.get('password')) {
          loginForm(res, uid, { error: 'Fel användarnamn eller lösenord.', login });
          return;
        }
        await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, {
          mergeWithLastSubmission: false,
        });
        return;
      }
      if (prompt.name === 'login') {
        loginForm(res, uid);
        return;
      }
      // Consent: the portal is the municipality's own application, granted what it asks.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const grantId = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId } }, {
        mergeWithLastSubmission: true,
      });
    } catch (err) {
      page(res, 400, 'Test-IdP: fel', `<p>${escape(err.message)}</p>`);
    }
  });

  process.stdout.write(`READY ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
