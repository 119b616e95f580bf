import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { CreateIndexCommand, DescribeIndexCommand, QueryCommand, type KendraClient, type UserTokenConfiguration } from '@aws-sdk/client-kendra';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { putIndexed, visibleIds } from './support/acl.js';
import { rejectsWith, ROLE } from './support/kendra.js';
import { Moto } from './support/moto.js';
import { backends, describeOrSkip, TestServer, TestStore, waitFor } from './support/server.js';

const ISSUER = 'https://issuer.kendrite.test';
const DOCS = [
  { Id: 'public', Title: 'Travel policy', Blob: Buffer.from('Travel policy for everyone.'), ContentType: 'PLAIN_TEXT' as const },
  { Id: 'hr-only', Title: 'Salary policy', Blob: Buffer.from('Salary policy for hr.'), ContentType: 'PLAIN_TEXT' as const, AccessControlList: [{ Name: 'hr', Type: 'GROUP' as const, Access: 'ALLOW' as const }] },
  { Id: 'alice-only', Title: 'Alice review policy', Blob: Buffer.from('Review policy for alice.'), ContentType: 'PLAIN_TEXT' as const, AccessControlList: [{ Name: 'alice', Type: 'USER' as const, Access: 'ALLOW' as const }] },
];

interface SigningKey {
  kid: string;
  key: Parameters<SignJWT['sign']>[0];
  alg: string;
  jwk: JWK;
}

async function rsaKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, key: privateKey, alg: 'RS256', jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function hmacKey(kid: string): SigningKey {
  const key = crypto.getRandomValues(new Uint8Array(32));
  return { kid, key, alg: 'HS256', jwk: { kty: 'oct', k: Buffer.from(key).toString('base64url'), kid, alg: 'HS256' } };
}

function sign(k: SigningKey, claims: JWTPayload, opts: { issuer?: string; expiresIn?: string | number } = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: k.alg, kid: k.kid }).setIssuer(opts.issuer ?? ISSUER).setIssuedAt().setExpirationTime(opts.expiresIn ?? '10m').sign(k.key);
}

/** A JWKS endpoint on loopback whose key set the test changes (rotation). */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private constructor(private readonly server: Server, readonly url: string) {}
  static async start(): Promise<JwksServer> {
    let self: JwksServer | undefined;
    const server = createServer((req, res) => {
      self!.fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: self!.keys }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    self = new JwksServer(server, `http://127.0.0.1:${port}/.well-known/jwks.json`);
    return self;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

async function tokenIndex(k: KendraClient, name: string, config: UserTokenConfiguration, policy: 'USER_TOKEN' | 'ATTRIBUTE_FILTER' = 'USER_TOKEN'): Promise<string> {
  const { Id } = await k.send(new CreateIndexCommand({ Name: name, RoleArn: ROLE, UserContextPolicy: policy, UserTokenConfigurations: [config] }));
  await waitFor(`index ${Id} ACTIVE`, async () => ((await k.send(new DescribeIndexCommand({ Id }))).Status === 'ACTIVE' ? true : undefined));
  await putIndexed(k, Id!, DOCS);
  return Id!;
}

let moto: Moto;
let jwks: JwksServer;
before(async () => {
  [moto, jwks] = await Promise.all([Moto.start(), JwksServer.start()]);
});
after(async () => {
  await Promise.all([moto?.stop(), jwks?.stop()]);
});

for (const backend of backends()) {
  describeOrSkip(`user tokens: verified, then searched as their user and groups [${backend.name}]`, { skip: backend.skip }, () => {
    let store: TestStore;
    let server: TestServer;
    let k: KendraClient;
    const seen = async (indexId: string, Token?: string) => (await visibleIds(k, indexId, Token === undefined ? undefined : { Token }, 'policy')).ids;

    before(async () => {
      store = await TestStore.create(backend.name);
      server = await TestServer.start(store, { env: { ...moto.env, KENDRITE_SECRETS_ENDPOINT: moto.endpoint } });
      k = server.client();
    });
    after(async () => {
      await server?.stop();
      await store?.destroy();
    });

    test('JWT from a JWKS URL: good tokens see their documents; expired, wrong issuer, wrong signature, alg none and garbage are AccessDeniedException', async () => {
      const first = await rsaKey(`k1-${backend.name}`);
      jwks.keys = [first.jwk];
      const indexId = await tokenIndex(k, 'jwks', { JwtTokenTypeConfiguration: { KeyLocation: 'URL', URL: jwks.url, UserNameAttributeField: 'user', GroupAttributeField: 'groups', Issuer: ISSUER } });
      assert.deepEqual(await seen(indexId, await sign(first, { user: 'alice', groups: ['hr'] })), ['alice-only', 'hr-only', 'public']);
      assert.deepEqual(await seen(indexId, await sign(first, { user: 'dave', groups: 'hr' })), ['hr-only', 'public']);
      // USER_TOKEN: no token, public documents only; a bare UserId is not trusted.
      assert.deepEqual(await seen(indexId), ['public']);
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { UserId: 'alice' } })), 'ValidationException');

      const refused = async (token: string, why: RegExp) => {
        const e = await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, QueryText: 'policy', UserContext: { Token: token } })), 'AccessDeniedException');
        assert.match(e.message, why);
      };
      await refused(await sign(first, { user: 'alice', groups: ['hr'] }, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/);
      await refused(await sign(first, { user: 'alice' }, { issuer: 'https://someone-else.test' }), /iss/);
      const impostor = await rsaKey(first.kid);
      await refused(await sign(impostor, { user: 'alice' }), /signature/);
      const header = Buffer.from(JSON.stringify({ alg: 'none', kid: first.kid })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ user: 'alice', iss: ISSUER, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      await refused(`${header}.${body}.`, /not valid/);
      // The public key used as an HMAC secret (algorithm confusion) finds no key.
      const confused = { kid: first.kid, alg: 'HS256', key: Buffer.from(JSON.stringify(first.jwk)), jwk: {} };
      await refused(await sign(confused, { user: 'alice' }), /not valid/);
      await refused('not-a-token', /not valid/);

      // Rotation: the issuer publishes a new key and drops the old one; tokens of the new key verify without a restart.
      const second = await rsaKey(`k2-${backend.name}`);
      jwks.keys = [second.jwk];
      const fetches = jwks.fetches;
      await new Promise((r) => setTimeout(r, 1100)); // past the one-second refetch cool-down
      assert.deepEqual(await seen(indexId, await sign(second, { user: 'alice', groups: [] })), ['alice-only', 'public']);
      assert.equal(jwks.fetches, fetches + 1, 'the unknown key id fetched the key set once');
    });

    test('JWT with keys from a Secrets Manager secret (moto), rotated by a new secret version', async () => {
      const sm = new SecretsManagerClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
      const first = hmacKey('s1');
      const { ARN } = await sm.send(new CreateSecretCommand({ Name: `kendra-jwt-${backend.name}`, SecretString: JSON.stringify({ keys: [first.jwk] }) }));
      const indexId = await tokenIndex(k, 'secret', { JwtTokenTypeConfiguration: { KeyLocation: 'SECRET_MANAGER', SecretManagerArn: ARN, Issuer: ISSUER } });
      // Defaults: the user is `sub`, the groups `groups`.
      assert.deepEqual(await seen(indexId, await sign(first, { sub: 'alice', groups: ['hr'] })), ['alice-only', 'hr-only', 'public']);
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { Token: await sign(hmacKey('s1'), { sub: 'alice' }) } })), 'AccessDeniedException');
      const second = hmacKey('s2');
      await sm.send(new PutSecretValueCommand({ SecretId: ARN, SecretString: JSON.stringify(second.jwk) }));
      assert.deepEqual(await seen(indexId, await sign(second, { sub: 'dave', groups: ['hr'] })), ['hr-only', 'public']);
    });

    test('JSON tokens name the user and groups by the configured fields; ATTRIBUTE_FILTER still takes UserId', async () => {
      const indexId = await tokenIndex(k, 'json', { JsonTokenTypeConfiguration: { UserNameAttributeField: 'name', GroupAttributeField: 'teams' } }, 'ATTRIBUTE_FILTER');
      assert.deepEqual(await seen(indexId, JSON.stringify({ name: 'dave', teams: ['hr'] })), ['hr-only', 'public']);
      assert.deepEqual((await visibleIds(k, indexId, { UserId: 'alice' }, 'policy')).ids, ['alice-only', 'public']);
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { Token: '{"name": 7}' } })), 'AccessDeniedException');
      await rejectsWith(k.send(new QueryCommand({ IndexId: indexId, UserContext: { Token: 'alice' } })), 'AccessDeniedException');
    });
  });
}
