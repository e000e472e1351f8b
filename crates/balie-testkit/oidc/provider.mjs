// A real OpenID Provider on loopback for the tests, standing in for the Flemish
// government's broker (ACM/IDM): panva's `oidc-provider` (OpenID Certified), with the
// broker's means of authentication as `acr` values and the claims it gives (given and
// family name, birth date, national register number in `rrn`).
//
// Usage: node provider.mjs
//   prints "listening <port>", then reads one line of JSON from standard input:
//   {"redirect_uri": "...", "client_id": "...", "jwk": {public JWK of the relay}}
//   and prints "ready" once the provider serves http://127.0.0.1:<port>.
//
// Its sign-in page is a form: choose the means (itsme, eID, or a password, which is
// below the level Balie asks) or stop; no password is checked.

import http from "node:http";
import crypto from "node:crypto";
import readline from "node:readline";
import Provider from "oidc-provider";

const ACR = {
  itsme: "urn:be:vlaanderen:authmech:itsme",
  eid: "urn:be:vlaanderen:authmech:eid",
  password: "urn:be:vlaanderen:authmech:csampassword",
};

const ACCOUNT = {
  given_name: "Dirk",
  family_name: "Peeters",
  birthdate: "1985-07-30",
  rrn: "85073003328",
};

let handler = (req, res) => {
  res.statusCode = 503;
  res.end("not ready");
};
const server = http.createServer((req, res) => handler(req, res));
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});

const lines = readline.createInterface({ input: process.stdin });
lines.once("line", (line) => {
  const setup = JSON.parse(line);
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signing = { ...privateKey.export({ format: "jwk" }), use: "sig", alg: "RS256", kid: "op-key-1" };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: setup.client_id,
        token_endpoint_auth_method: "private_key_jwt",
        token_endpoint_auth_signing_alg: setup.jwk.alg,
        jwks: { keys: [setup.jwk] },
        redirect_uris: [setup.redirect_uri],
        response_types: ["code"],
        grant_types: ["authorization_code"],
      },
    ],
    jwks: { keys: [signing] },
    acrValues: Object.values(ACR),
    scopes: ["openid", "profile", "rrn"],
    claims: {
      openid: ["sub"],
      profile: ["given_name", "family_name", "birthdate"],
      rrn: ["rrn"],
      acr: null,
    },
    pkce: { required: () => true, methods: ["S256"] },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: [crypto.randomBytes(32).toString("hex")] },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ sub, ...ACCOUNT }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  });

  const page = (uid) => `<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Aanmelden (test)</title></head>
<body><main><h1>Aanmelden bij de Vlaamse overheid (testprovider)</h1>
<form method="post" action="/interaction/${uid}/login">
<fieldset><legend>Kies hoe u zich aanmeldt</legend>
<label><input type="radio" name="means" value="itsme" checked> itsme</label><br>
<label><input type="radio" name="means" value="eid"> eID</label><br>
<label><input type="radio" name="means" value="password"> Gebruikersnaam en wachtwoord</label>
</fieldset>
<button type="submit" id="login">Aanmelden</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit" id="abort">Stoppen</button></form>
</main></body></html>`;

  const body = (req) =>
    new Promise((resolve) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => resolve(new URLSearchParams(text)));
    });

  const oidc = provider.callback();
  handler = async (req, res) => {
    const match = /^\/interaction\/([^/]+)(\/login|\/abort)?$/.exec(req.url.split("?")[0]);
    if (!match) return oidc(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (!match[2]) {
        res.setHeader("content-type", "text/html; charset=utf-8");
        return res.end(page(details.uid));
      }
      if (match[2] === "/abort") {
        return provider.interactionFinished(
          req,
          res,
          { error: "access_denied", error_description: "The citizen stopped." },
          { mergeWithLastSubmission: false },
        );
      }
      const form = await body(req);
      const acr = ACR[form.get("means")] ?? ACR.password;
      const grant = new provider.Grant({ accountId: "dirk-peeters", clientId: details.params.client_id });
      grant.addOIDCScope("openid profile rrn");
      const grantId = await grant.save();
      return provider.interactionFinished(
        req,
        res,
        { login: { accountId: "dirk-peeters", acr }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
    } catch (error) {
      res.statusCode = 400;
      res.end(String(error));
    }
  };
  process.stdout.write("ready\n");
});
