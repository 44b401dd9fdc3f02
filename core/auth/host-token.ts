/**
 * Verification of the JWT a host ERP signs for its logged-in user (see the
 * Authentication section of the API contract). Pure: the caller loads the tenant's
 * {@link EmbedConfig} (opening a sealed `hs256Secret` itself) and maps errors to HTTP.
 *
 * @module
 */
import { createRemoteJWKSet, decodeJwt, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey, RemoteJWKSet } from 'jose';
import { coreError } from '../plugin/errors.js';

/** A tenant's embed configuration, as stored (with `hs256Secret` already opened). */
export type EmbedConfig = {
  /** Shared secret for HS256, at least 32 bytes. */
  hs256Secret?: string;
  /** Where the host publishes its public keys, for RS256/ES256/EdDSA. */
  jwksUrl?: string;
  /** Algorithms tokens may use; pinned, never taken from the token. */
  algorithms: string[];
  /** Origins allowed to embed Peyvand's widgets. */
  allowedOrigins: string[];
};

/**
 * Claims of a verified host token: `sub` host user id, `tid` tenant slug, `teams` team ids
 * (for `team` record scope), `name` display name, `exp` expiry in epoch seconds, `cust` the
 * tenant's customer a `customer`-role token speaks for (a customer id or `source:externalId`).
 */
export type HostClaims = { sub: string; tid: string; roles: string[]; teams: string[]; name?: string; exp: number; cust?: string };

/** Machine-readable `reason` of an `INVALID_CREDENTIAL` error raised here. */
export type HostTokenFailureReason =
  | 'expired' | 'audience' | 'algorithm' | 'signature' | 'tenant' | 'claims' | 'malformed' | 'jwks_unavailable';

/**
 * Options of {@link createHostTokenVerifier}: `clockToleranceSeconds` skew allowed on
 * `exp`/`nbf` (default 30); `jwksCacheMs` how long a fetched key set is trusted (default
 * jose's 10 minutes); `fetchTimeoutMs` JWKS fetch timeout (default 3000).
 */
export type HostTokenVerifierOptions = { clockToleranceSeconds?: number; jwksCacheMs?: number; fetchTimeoutMs?: number };

/** Verifies host tokens; holds the per-URL JWKS cache. */
export type HostTokenVerifier = {
  /** Verifies `token` against `config`; throws `coreError('INVALID_CREDENTIAL', { reason })` on any failure. */
  verify(token: string, config: EmbedConfig, expectedTenantSlug: string): Promise<HostClaims>;
};

/** Every algorithm Peyvand accepts for host tokens. `none` is deliberately absent. */
export const HOST_TOKEN_ALGORITHMS: readonly string[] = ['HS256', 'RS256', 'ES256', 'EdDSA'];
/** The `aud` a host token must carry, so tokens minted for other services are refused. */
export const HOST_TOKEN_AUDIENCE = 'peyvand';

const ASYMMETRIC = new Set(['RS256', 'ES256', 'EdDSA']);
const MIN_HS256_SECRET_BYTES = 32; // RFC 7518 §3.2: the key must be at least the hash size
// URL.hostname keeps the brackets of IPv6 literals.
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// Real host tokens are well under this; refusing early bounds the work done on junk.
const MAX_TOKEN_LENGTH = 16_384;
// One entry per distinct JWKS URL; the bound only guards against unbounded growth when
// tenants keep changing their URL.
const MAX_CACHED_JWKS = 1_000;

const isAllowedAlgorithm = (alg: unknown): boolean => typeof alg === 'string' && HOST_TOKEN_ALGORITHMS.includes(alg);

function hs256SecretProblem(secret: unknown): string | null {
  if (typeof secret !== 'string') return 'hs256Secret must be a string';
  const tooShort = Buffer.byteLength(secret, 'utf8') < MIN_HS256_SECRET_BYTES;
  return tooShort ? `hs256Secret must be at least ${MIN_HS256_SECRET_BYTES} bytes` : null;
}

function jwksUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'jwksUrl must be a string';
  const url = URL.canParse(value) ? new URL(value) : null;
  if (!url) return 'jwksUrl is not a valid URL';
  if (url.protocol === 'https:') return null;
  // Plain http would let anyone on the path swap the keys; only loopback (development,
  // tests, a sidecar) is exempt.
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return 'jwksUrl must use https (http is allowed only for 127.0.0.1, localhost and ::1)';
}

function originProblem(origin: unknown): string | null {
  if (typeof origin !== 'string') return 'allowedOrigins must contain strings';
  const url = URL.canParse(origin) ? new URL(origin) : null;
  if (url && (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === origin) return null;
  return `allowed origin ${JSON.stringify(origin)} must be a bare origin such as https://erp.example.com`;
}

/**
 * Checks an embed configuration and returns human-readable problems (empty when fine).
 * Used when an admin saves the config, so mistakes surface there rather than as failed
 * logins later.
 */
export function validateEmbedConfig(config: EmbedConfig): string[] {
  if (typeof config !== 'object' || config === null) return ['embed config must be an object'];
  const problems: string[] = [];
  const { algorithms, hs256Secret, jwksUrl, allowedOrigins } = config;
  const algs: unknown[] = Array.isArray(algorithms) ? algorithms : [];
  if (algs.length === 0) problems.push('algorithms must list at least one of HS256, RS256, ES256, EdDSA');
  for (const alg of algs) {
    if (typeof alg === 'string' && alg.toLowerCase() === 'none') {
      problems.push('algorithm "none" is not allowed: unsigned tokens are never accepted');
    } else if (!isAllowedAlgorithm(alg)) {
      problems.push(`algorithm ${JSON.stringify(alg)} is not allowed (use HS256, RS256, ES256 or EdDSA)`);
    }
  }
  const asymmetric = algs.filter((a): a is string => typeof a === 'string' && ASYMMETRIC.has(a));
  // Each algorithm family needs its own key source; with both families listed, both are
  // required, which is what keeps HS256 from ever being checked against a public key.
  if (hs256Secret !== undefined) {
    const problem = hs256SecretProblem(hs256Secret);
    if (problem) problems.push(problem);
  } else if (algs.includes('HS256')) {
    problems.push('HS256 needs hs256Secret');
  }
  if (jwksUrl !== undefined) {
    const problem = jwksUrlProblem(jwksUrl);
    if (problem) problems.push(problem);
  } else if (asymmetric.length > 0) {
    problems.push(`${asymmetric.join(', ')} need${asymmetric.length === 1 ? 's' : ''} jwksUrl`);
  }
  if (!Array.isArray(allowedOrigins)) problems.push('allowedOrigins must be an array');
  else for (const origin of allowedOrigins) {
    const problem = originProblem(origin);
    if (problem) problems.push(problem);
  }
  return problems;
}

/**
 * Reads the `tid` claim WITHOUT verifying anything, or `null` for garbage. Only for
 * choosing which tenant's config to verify with; the verified `tid` is compared again
 * in {@link HostTokenVerifier.verify}, so a forged value gains nothing.
 */
export function peekTenantSlug(token: string): string | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return null;
  try {
    const { tid } = decodeJwt(token);
    return typeof tid === 'string' && tid !== '' ? tid : null;
  } catch {
    return null;
  }
}

/** Carries a reason out of the key resolver, through jose, to the error mapping. */
class KeyResolutionError extends Error {
  constructor(readonly reason: HostTokenFailureReason) { super(reason); }
}

function reasonOf(err: unknown): HostTokenFailureReason {
  if (err instanceof KeyResolutionError) return err.reason;
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWTClaimValidationFailed) return err.claim === 'aud' ? 'audience' : 'claims';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'algorithm';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'signature';
  return 'malformed';
}

const fail = (reason: HostTokenFailureReason) => coreError('INVALID_CREDENTIAL', { reason });

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

function assertNonNegative(name: string, value: number | undefined, integer = false): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(`${name} must be a non-negative ${integer ? 'integer' : 'number'}`);
  }
}

/** Creates a host token verifier. Key sets are cached inside it, per JWKS URL. */
export function createHostTokenVerifier(options: HostTokenVerifierOptions = {}): HostTokenVerifier {
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const timeoutDuration = options.fetchTimeoutMs ?? 3000;
  assertNonNegative('clockToleranceSeconds', clockTolerance);
  assertNonNegative('fetchTimeoutMs', timeoutDuration, true);
  assertNonNegative('jwksCacheMs', options.jwksCacheMs);
  const jwksCache = new Map<string, RemoteJWKSet>();

  const jwksFor = (url: URL): RemoteJWKSet => {
    let jwks = jwksCache.get(url.href);
    if (!jwks) {
      jwks = createRemoteJWKSet(url, {
        timeoutDuration,
        ...(options.jwksCacheMs !== undefined ? { cacheMaxAge: options.jwksCacheMs } : {}),
      });
      if (jwksCache.size >= MAX_CACHED_JWKS) jwksCache.delete(jwksCache.keys().next().value as string);
      jwksCache.set(url.href, jwks);
    }
    return jwks;
  };

  return {
    async verify(token, config, expectedTenantSlug) {
      if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw fail('malformed');
      // Fail closed on a bad config: only algorithms that are allowed AND have a valid key
      // source are pinned, so a config that slipped past validation can never widen what
      // is accepted (`none`, or HS256 without a secret).
      const hsOk = config.hs256Secret !== undefined && hs256SecretProblem(config.hs256Secret) === null;
      const jwksOk = config.jwksUrl !== undefined && jwksUrlProblem(config.jwksUrl) === null;
      const algorithms = (Array.isArray(config.algorithms) ? config.algorithms : []).filter(
        (alg) => isAllowedAlgorithm(alg) && (alg === 'HS256' ? hsOk : jwksOk),
      );
      if (algorithms.length === 0) throw fail('algorithm');
      const hsKey = hsOk ? new TextEncoder().encode(config.hs256Secret) : undefined;
      const jwksUrl = jwksOk ? new URL(config.jwksUrl as string) : undefined;

      // jose checks the header `alg` against `algorithms` before calling this, so the
      // resolver only sees pinned algorithms. HS256 always gets the configured secret and
      // asymmetric algorithms always get a JWKS key: the classic confusion of verifying an
      // HS256 token with a public key as the HMAC secret cannot happen.
      const getKey: JWTVerifyGetKey = async (header, jws) => {
        if (header.alg === 'HS256') {
          if (!hsKey) throw new KeyResolutionError('algorithm');
          return hsKey;
        }
        if (!jwksUrl) throw new KeyResolutionError('algorithm');
        try {
          return await jwksFor(jwksUrl)(header, jws);
        } catch (err) {
          // No (or no unique) key for this kid: the token is not verifiable by this host's
          // keys. Anything else (network, timeout, non-200, bad JSON) is the host's outage.
          if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
            throw new KeyResolutionError('signature');
          }
          throw new KeyResolutionError('jwks_unavailable');
        }
      };

      let payload: Record<string, unknown>;
      try {
        ({ payload } = await jwtVerify(token, getKey, {
          algorithms,
          audience: HOST_TOKEN_AUDIENCE,
          requiredClaims: ['exp', 'sub', 'tid'],
          clockTolerance,
        }));
      } catch (err) {
        // No `cause`: jose errors carry the decoded payload, which must not reach logs.
        throw fail(reasonOf(err));
      }

      const { sub, tid, roles, teams, name, exp, cust } = payload;
      if (typeof sub !== 'string' || sub === '' || typeof tid !== 'string' || typeof exp !== 'number') {
        throw fail('claims');
      }
      if (tid !== expectedTenantSlug) throw fail('tenant');
      if (roles !== undefined && !isStringArray(roles)) throw fail('claims');
      if (teams !== undefined && !isStringArray(teams)) throw fail('claims');
      if (name !== undefined && typeof name !== 'string') throw fail('claims');
      if (cust !== undefined && (typeof cust !== 'string' || cust === '' || cust.length > 300)) throw fail('claims');

      const claims: HostClaims = { sub, tid, roles: roles ?? [], teams: teams ?? [], exp };
      if (name !== undefined) claims.name = name;
      if (cust !== undefined) claims.cust = cust;
      return claims;
    },
  };
}
