/**
 * SigV4 request authentication and per-key authorization (P-6, P-8).
 *
 * The signature is recomputed with @smithy/signature-v4 over exactly what the client signed: the
 * headers it lists in SignedHeaders (values as received), the raw path and query, and the raw body.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { ALGORITHM_IDENTIFIER, SignatureV4, getSigningKey } from '@smithy/signature-v4';
import { KendraError } from '../protocol/errors.js';
import { constantTimeEqual, HmacKey } from './hmacKey.js';

export interface CredentialConfig {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  permissions: 'read' | 'read-write';
}

export interface AuthConfig {
  /** Empty: open mode (loopback-only local default), any well-formed SigV4 request is accepted. */
  credentials: CredentialConfig[];
  /** Default 900 (AWS's 15 minutes). */
  maxClockSkewSeconds: number;
}

export interface Caller {
  accountId: string;
  /** The region of the request's credential scope (P-8). */
  region: string;
  accessKeyId: string;
  canWrite: boolean;
}

export interface SignedRequest {
  method: string;
  /** Raw request-target as received (still percent-encoded), may include ?query. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The lower-case names of its x-amz-* headers, when the HTTP parser collected them on the way (else read from `headers`). */
  amzHeaders?: readonly string[];
  body: Buffer;
}

export const DEFAULT_ACCOUNT_ID = '000000000000';
export const DEFAULT_MAX_CLOCK_SKEW_SECONDS = 900;
const SERVICE = 'kendra';

// crypto.hash (Node >= 20.12) is about 3x faster than createHash for request-sized inputs.
const sha256Hex: (data: string | Buffer) => string =
  typeof nodeCrypto.hash === 'function'
    ? (data) => nodeCrypto.hash('sha256', data, 'hex')
    : (data) => createHash('sha256').update(data).digest('hex');

// The same hash constructor @aws-sdk/client-kendra hands its signer.
const Sha256 = Hash.bind(null, 'sha256');

/**
 * One per access key. Verification reuses smithy's canonical-request builder (a protected method,
 * hence the subclass) and its signing-key derivation. signRequest() itself cannot verify: it strips
 * a signed `date` header (botocore signs with Date alone when the caller set one), injects
 * x-amz-date / x-amz-content-sha256 into the canonical headers, and picks headers by its own rules
 * (it never signs user-agent, even when a client did).
 */
class Verifier extends SignatureV4 {
  // Derived signing keys by scope date and region: four HMACs saved per request.
  private readonly keys = new Map<string, HmacKey>();

  constructor(readonly credential: CredentialConfig) {
    super({
      service: SERVICE,
      region: 'us-east-1', // unused: the scope's region is passed explicitly
      credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
      sha256: Sha256,
      applyChecksum: false,
    });
  }

  canonicalRequest(request: HttpRequest, canonicalHeaders: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }

  /** The scope's signing key, or undefined until `derive` has been awaited once for it. */
  signingKey(scopeDate: string, region: string): HmacKey | undefined {
    return this.keys.get(`${scopeDate}/${region}`);
  }

  async derive(scopeDate: string, region: string): Promise<HmacKey> {
    const key = new HmacKey(await getSigningKey(Sha256, this.credential, scopeDate, region, SERVICE));
    // Any known key id can name arbitrary regions before the signature is checked: stay bounded.
    if (this.keys.size >= 64) this.keys.clear();
    this.keys.set(`${scopeDate}/${region}`, key);
    return key;
  }
}

/** What the Authorization header says apart from the signature; the same on every request of a client. */
interface Scope {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  /** `<date>/<region>/<service>/aws4_request` */
  scope: string;
  /** The signed header names, sorted and without repeats (anything else is refused), and joined with ';'. */
  sortedHeaders: string[];
  sortedHeaderList: string;
  signsHost: boolean;
  signsDate: boolean;
}

interface RequestTime {
  /** YYYYMMDDTHHMMSSZ: X-Amz-Date, or the Date header in that form. */
  longDate: string;
  time: number;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

const incomplete = (message: string) => new KendraError('IncompleteSignatureException', message);
const invalid = (message: string) => new KendraError('InvalidSignatureException', message);

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPE_DATE = /^\d{8}$/;
const REGION = /^[a-z0-9][a-z0-9-]*$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9.-]*$/;
// RFC 9110 token characters, lowercase only: SigV4 lists header names lowercased.
const HEADER_LIST = /^[a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*$/;
const NEEDS_FOLDING = /[\r\n\t]| {2}|^ | $/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const CACHE_LIMIT = 256;

export class Authenticator {
  private readonly verifiers = new Map<string, Verifier>();
  private readonly open: boolean;
  private readonly skewMs: number;
  // Authorization header up to "Signature=" → its parse: clients repeat it until the day changes.
  private readonly scopes = new Map<string, Scope>();
  private lastScope: { prefix: string; scope: Scope } | undefined;
  // Many concurrent requests carry the same X-Amz-Date second.
  private lastAmzDate: RequestTime = { longDate: '', time: NaN };

  constructor(
    config: AuthConfig,
    private readonly now: () => number = Date.now,
  ) {
    for (const credential of config.credentials) {
      if (this.verifiers.has(credential.accessKeyId)) {
        throw new Error(`access key ${credential.accessKeyId} is configured twice`);
      }
      this.verifiers.set(credential.accessKeyId, new Verifier(credential));
    }
    this.open = this.verifiers.size === 0;
    const skew = config.maxClockSkewSeconds;
    this.skewMs = (Number.isFinite(skew) && skew >= 0 ? skew : DEFAULT_MAX_CLOCK_SKEW_SECONDS) * 1000;
  }

  async authenticate(req: SignedRequest): Promise<Caller> {
    return this.check(req);
  }

  /**
   * `authenticate`, answered at once (or thrown) when the scope's signing key is known, as on every
   * request but a client's first of the day: the request takes no turn of the event loop for it.
   */
  check(req: SignedRequest): Caller | Promise<Caller> {
    const { headers } = req;
    const header = headers.authorization;
    if (header === undefined || header === '') {
      throw new KendraError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    const amzDate = single(headers['x-amz-date']);
    const httpDate = amzDate === undefined ? single(headers.date) : undefined;
    const { scope, signature } = this.parse(header, amzDate !== undefined || httpDate !== undefined);
    requireSigned(req.amzHeaders ?? amzHeaderNames(headers), scope, amzDate === undefined);
    const { longDate, time } = amzDate !== undefined ? this.amzTime(amzDate) : httpTime(httpDate!);

    if (this.open) {
      // As local AWS emulators do: the shape (and what must be signed) is checked, the signature and clock are not.
      return { accountId: DEFAULT_ACCOUNT_ID, region: scope.region, accessKeyId: scope.accessKeyId, canWrite: true };
    }

    if (scope.service !== SERVICE) {
      throw invalid(`Credential should be scoped to correct service: '${SERVICE}'. `);
    }
    if (!longDate.startsWith(scope.scopeDate)) {
      throw invalid(
        'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
          `'${scope.scopeDate}' != '${longDate.slice(0, 8)}', from '${longDate}'.`,
      );
    }
    const verifier = this.verifiers.get(scope.accessKeyId);
    if (!verifier) {
      throw new KendraError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    }
    this.checkClock(longDate, time);

    const payloadHash = sha256Hex(req.body);
    const claimedHash = headers['x-amz-content-sha256'];
    if (claimedHash !== undefined && claimedHash !== payloadHash) {
      throw invalid('The provided x-amz-content-sha256 header does not match what was computed.');
    }

    const canonicalRequest =
      rootCanonicalRequest(req, scope, payloadHash) ??
      verifier.canonicalRequest(toHttpRequest(req), canonicalHeadersOf(headers, scope.sortedHeaders), payloadHash);
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${scope.scope}\n${sha256Hex(canonicalRequest)}`;
    const key = verifier.signingKey(scope.scopeDate, scope.region);
    if (key) return signedBy(verifier, key, stringToSign, signature, scope.region);
    return verifier.derive(scope.scopeDate, scope.region).then((derived) => signedBy(verifier, derived, stringToSign, signature, scope.region));
  }

  private parse(header: string, hasDate: boolean): { scope: Scope; signature: string } {
    // Fast path for the usual shape, "…, Signature=<64 hex>" last, seen before from this client:
    // first the last client's prefix (compared in place, nothing allocated), then any recent one's.
    const cut = header.length - 64;
    const usual = cut > 10 && header.startsWith('Signature=', cut - 10);
    if (usual && hasDate) {
      const signature = header.slice(cut);
      const last = this.lastScope;
      if (last && last.prefix.length === cut - 10 && header.startsWith(last.prefix) && HEX64.test(signature)) return { scope: last.scope, signature };
      const prefix = header.slice(0, cut - 10);
      const scope = this.scopes.get(prefix);
      if (scope && HEX64.test(signature)) {
        this.lastScope = { prefix, scope };
        return { scope, signature };
      }
    }
    const parsed = parseAuthorization(header, hasDate);
    if (usual) {
      const prefix = header.slice(0, cut - 10);
      if (this.scopes.size >= CACHE_LIMIT) this.scopes.clear();
      this.scopes.set(prefix, parsed.scope);
      this.lastScope = { prefix, scope: parsed.scope };
    }
    return parsed;
  }

  private amzTime(amzDate: string): RequestTime {
    if (amzDate === this.lastAmzDate.longDate) return this.lastAmzDate;
    const time = parseAmzDate(amzDate);
    if (Number.isNaN(time)) throw badDate(amzDate);
    return (this.lastAmzDate = { longDate: amzDate, time });
  }

  private checkClock(longDate: string, time: number): void {
    const now = this.now();
    if (Math.abs(time - now) <= this.skewMs) return;
    const window = formatSkew(this.skewMs);
    if (time < now) {
      throw invalid(
        `Signature expired: ${longDate} is now earlier than ${longDateOf(now - this.skewMs)} ` +
          `(${longDateOf(now)} - ${window})`,
      );
    }
    // AWS's wording for a future time, plus "Signature expired" which P-6 promises for both directions.
    throw invalid(
      `Signature not yet current: ${longDate} is still later than ${longDateOf(now + this.skewMs)} ` +
        `(${longDateOf(now)} + ${window}). Signature expired or not yet valid: check the client clock.`,
    );
  }
}

/** The caller whose key signed `stringToSign` with `signature`; InvalidSignatureException otherwise. */
function signedBy(verifier: Verifier, key: HmacKey, stringToSign: string, signature: string, region: string): Caller {
  if (!constantTimeEqual(key.hex(stringToSign), signature)) {
    throw invalid(SIGNATURE_MISMATCH);
  }
  const { credential } = verifier;
  return {
    accountId: credential.accountId,
    region,
    accessKeyId: credential.accessKeyId,
    canWrite: credential.permissions === 'read-write',
  };
}

/** Reads operations a read-only key may call. */
export function isReadOperation(operation: string): boolean {
  return (
    /^(Describe|List|Get)[A-Z]/.test(operation) ||
    operation === 'Query' ||
    operation === 'Retrieve' ||
    operation === 'BatchGetDocumentStatus'
  );
}

export function authorize(caller: Caller, operation: string): void {
  if (caller.canWrite || isReadOperation(operation)) return;
  throw new KendraError(
    'AccessDeniedException',
    `User: arn:aws:iam::${caller.accountId}:user/${caller.accessKeyId} is not authorized to perform: ` +
      `kendra:${operation} because no identity-based policy allows the kendra:${operation} action`,
  );
}

/** Checks the header's shape (IncompleteSignatureException, AWS's messages); the date headers' presence too. */
function parseAuthorization(header: string, hasDate: boolean): { scope: Scope; signature: string } {
  const problems: string[] = [];
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  let credential: string | undefined;
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    problems.push(`Authorization header must use the '${ALGORITHM_IDENTIFIER}' algorithm.`);
  } else {
    // Like AWS, split on commas and whitespace: a stray space inside a value is a malformed pair.
    for (const part of (space < 0 ? '' : header.slice(space + 1)).split(/[\s,]+/)) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      if (eq < 0) {
        throw incomplete(`'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'.`);
      }
      const key = part.slice(0, eq);
      const value = part.slice(eq + 1);
      if (key === 'Credential') credential = value;
      else if (key === 'SignedHeaders') signedHeaders = value;
      else if (key === 'Signature') signature = value;
    }
  }
  if (!credential) problems.push("Authorization header requires 'Credential' parameter.");
  if (!signature) problems.push("Authorization header requires 'Signature' parameter.");
  if (!signedHeaders) problems.push("Authorization header requires 'SignedHeaders' parameter.");
  if (!hasDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  if (problems.length > 0) throw incomplete(`${problems.join(' ')} Authorization=${header}`);

  const elements = credential!.split('/');
  if (elements.length !== 5) {
    throw incomplete(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, scopeDate, region, service, terminator] = elements as [string, string, string, string, string];
  if (accessKeyId === '') throw incomplete(`Credential is missing the access key id, got '${credential}'`);
  if (!SCOPE_DATE.test(scopeDate)) {
    throw incomplete(`Credential should be scoped to a valid date in YYYYMMDD form, not '${scopeDate}'.`);
  }
  if (!REGION.test(region)) throw incomplete(`Credential should be scoped to a valid region, not '${region}'.`);
  if (!SERVICE_NAME.test(service)) throw incomplete(`Credential should be scoped to a valid service, not '${service}'.`);
  if (terminator !== 'aws4_request') {
    throw incomplete(`Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  }
  if (!HEADER_LIST.test(signedHeaders!)) {
    throw incomplete(`SignedHeaders must be a ';'-separated list of lowercase header names, got '${signedHeaders}'.`);
  }
  const names = signedHeaders!.split(';');
  // Signers list each name once, sorted (the canonical request's order): a repeat or another order is forged or broken.
  for (let i = 1; i < names.length; i++) {
    if (names[i - 1]! >= names[i]!) {
      throw incomplete(`SignedHeaders must list each header name once, in sorted order, got '${signedHeaders}'.`);
    }
  }
  if (!HEX64.test(signature!)) {
    throw incomplete(`Signature must be 64 lowercase hexadecimal characters, got '${signature}'.`);
  }
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  return {
    scope: {
      accessKeyId, scopeDate, region, service, scope, sortedHeaders: names, sortedHeaderList: signedHeaders!,
      signsHost: names.includes('host'), signsDate: names.includes('date'),
    },
    signature: signature!,
  };
}

/**
 * Host, the date the request was signed with and every x-amz-* header it carries must be signed, as AWS
 * requires: otherwise a captured signature could be replayed with another X-Amz-Target (operation).
 * AWS's answer: InvalidSignatureException, "'Host' must be a 'SignedHeader' in the AWS Authorization."
 * A few compares per header on the parsed list: this runs on every request.
 */
function requireSigned(amzHeaders: readonly string[], scope: Scope, byHttpDate: boolean): void {
  if (!scope.signsHost) throw mustBeSigned('Host');
  if (byHttpDate && !scope.signsDate) throw mustBeSigned('Date');
  for (const name of amzHeaders) {
    if (!scope.sortedHeaders.includes(name)) throw mustBeSigned(name.replace(/(^|-)[a-z]/g, (c) => c.toUpperCase()));
  }
}

/** Reading the names off a header object costs more than the rest of the check: the parser's list is preferred. */
function amzHeaderNames(headers: IncomingHttpHeaders): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('x-amz-'));
}

function mustBeSigned(name: string): KendraError {
  return invalid(`'${name}' must be a 'SignedHeader' in the AWS Authorization.`);
}

function parseAmzDate(value: string): number {
  const m = AMZ_DATE.exec(value);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const time = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 20240231 over into March: reject fields out of range.
  return mo >= 1 && mo <= 12 && new Date(time).getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? time : NaN;
}

/** SigV4 allows the HTTP Date header instead of X-Amz-Date (botocore uses it when the caller set one). */
function httpTime(httpDate: string): RequestTime {
  const time = Date.parse(httpDate);
  if (Number.isNaN(time)) throw badDate(httpDate);
  return { longDate: longDateOf(time), time };
}

function badDate(value: string): KendraError {
  return incomplete(`Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`);
}

function longDateOf(time: number): string {
  return new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

function formatSkew(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min.` : `${ms / 1000} sec.`;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The client's signed headers only, values folded exactly as smithy's getCanonicalHeaders does. */
function canonicalHeadersOf(headers: IncomingHttpHeaders, signed: string[]): Record<string, string> {
  const canonical: Record<string, string> = {};
  for (const name of signed) {
    const raw = headers[name];
    // A signed header that did not arrive is left out, so the signature cannot match.
    if (raw !== undefined) canonical[name] = foldedValue(raw);
  }
  return canonical;
}

function foldedValue(raw: string | string[]): string {
  const value = Array.isArray(raw) ? raw.join(', ') : raw;
  // Hot path: most values need no folding, so skip smithy's three regex passes for them.
  return NEEDS_FOLDING.test(value) ? value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '') : value;
}

/**
 * The canonical request of a POST to "/" with no query, whose signed headers all arrived: every
 * Kendra call (AWS JSON 1.1 always posts to "/"). The same string smithy's createCanonicalRequest
 * builds (test/auth.test.ts compares the two), without its path normalization, query encoding and
 * header sort on every request. Anything else: undefined, and smithy builds it.
 */
export function rootCanonicalRequest(req: SignedRequest, scope: Pick<Scope, 'sortedHeaders' | 'sortedHeaderList'>, payloadHash: string): string | undefined {
  if (req.path !== '/' || req.method !== 'POST') return undefined;
  let lines = '';
  for (const name of scope.sortedHeaders) {
    const raw = req.headers[name];
    if (raw === undefined) return undefined;
    lines += `${name}:${foldedValue(raw)}\n`;
  }
  return `POST\n/\n\n${lines}\n${scope.sortedHeaderList}\n${payloadHash}`;
}

/** Method, raw path and decoded query; smithy re-encodes both the way SigV4 clients do. */
function toHttpRequest(req: SignedRequest): HttpRequest {
  const q = req.path.indexOf('?');
  const path = q < 0 ? req.path : req.path.slice(0, q);
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const pair of req.path.slice(q + 1).split('&')) {
      if (pair === '') continue;
      const eq = pair.indexOf('=');
      const key = decode(eq < 0 ? pair : pair.slice(0, eq));
      const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
      const prior = query[key];
      query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
  }
  return new HttpRequest({ method: req.method.toUpperCase(), path: path === '' ? '/' : path, query, headers: {} });
}

function decode(component: string): string {
  try {
    return decodeURIComponent(component);
  } catch {
    return component; // malformed %-escape: keep it raw, the signature decides
  }
}
