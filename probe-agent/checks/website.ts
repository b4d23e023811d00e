/**
 * Website (HTTP/HTTPS) check: one fresh connection per hop, redirects followed hop by hop
 * (each hop resolved through the target resolver, the SSRF hook), then the status, keyword
 * and typed assertions against the final response. The body is read only when the keyword
 * or an assertion needs it; the certificate of every https hop is recorded.
 */
import { AssertionSource, type WebsiteSettings } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind, type TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import { evaluateAssertions, needsBody, type ObservedResponse } from './assertions.js';
import { moreConcerning, withExpiryWarning } from './certificate.js';
import { failure, success, type Checker, type CheckOutcome, type OutcomeDetails } from './checker.js';
import { classifyFailure, TlsVerificationError } from './failure-kind.js';
import { exchange, readBody, type HttpExchange, type ReadBody } from './http-exchange.js';
import { PhaseClock } from './phase-clock.js';
import { systemResolver, type TargetResolver } from './target-resolver.js';
import { firstRequest, redirectedRequest } from './website-settings.js';

export interface WebsiteCheckerDeps {
  /** Resolves (and may refuse) every hop's host; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
  userAgent?: string;
  /** Body bytes read at most; a keyword or assertion sees this prefix. */
  maxBodyBytes?: number;
  /** Trust anchors (PEM) for https targets; default: Node's root store. */
  ca?: string[];
  /** The clock certificate expiry warnings are judged by; default: `Date.now`. */
  now?: () => number;
}

export const DEFAULT_USER_AGENT = 'Pharos-Probe/1.0';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export function createWebsiteChecker(deps: WebsiteCheckerDeps = {}): Checker<'website'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  const userAgent = deps.userAgent ?? DEFAULT_USER_AGENT;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const now = deps.now ?? Date.now;

  return {
    async run(job, signal) {
      const settings = job.settings.value;
      const clock = new PhaseClock();
      const options = { resolveTarget, ignoreTlsErrors: settings.ignoreTlsErrors, ca: deps.ca };
      const readsBody = settings.keyword !== undefined || needsBody(settings.assertions);
      let tls: TlsInfo | undefined;
      let statusCode = 0;
      const recorded = () => tls && withExpiryWarning(tls, settings.sslExpiryWarningDays, now());
      try {
        let request = firstRequest(settings, userAgent);
        const maxRedirects = settings.maxRedirects;
        for (let redirects = 0; ; redirects++) {
          const hop = await exchange(request, options, clock, signal);
          try {
            tls = moreConcerning(tls, hop.tls);
            statusCode = hop.statusCode;
            const location = settings.followRedirects && REDIRECT_STATUS.has(statusCode) ? single(hop.headers.location) : undefined;
            if (location === undefined) {
              const body = readsBody ? await readFinalBody(hop, maxBodyBytes, clock) : undefined;
              const timings = clock.stop();
              const response: ObservedResponse = { statusCode, headers: hop.headers, body, responseTimeMs: timings.totalMs };
              return judge(settings, response, { timings, statusCode, tls: recorded() });
            }
            if (redirects >= maxRedirects) {
              return failure(
                ErrorKind.ERROR_KIND_TOO_MANY_REDIRECTS,
                CheckPhase.CHECK_PHASE_ASSERTION,
                `more than ${maxRedirects} redirects (last to ${location})`,
                { timings: clock.stop(), statusCode, tls: recorded() },
              );
            }
            request = redirectedRequest(request, statusCode, location);
          } finally {
            hop.close();
          }
        }
      } catch (err) {
        const phase = clock.phase;
        if (err instanceof TlsVerificationError) tls = moreConcerning(tls, err.info);
        const failed = classifyFailure(err, phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: clock.stop(), statusCode, tls: recorded() });
      }
    },
  };
}

/** Reading the body is the transfer phase; it happens only when something needs the body. */
function readFinalBody(hop: HttpExchange, maxBodyBytes: number, clock: PhaseClock): Promise<ReadBody> {
  clock.enter(CheckPhase.CHECK_PHASE_TRANSFER);
  return readBody(hop.body, maxBodyBytes);
}

/**
 * Every assertion is evaluated and recorded; the check fails on the first problem in this
 * order: the status (unless a StatusCode assertion owns it), the keyword, the assertions.
 */
function judge(settings: WebsiteSettings, response: ObservedResponse, details: OutcomeDetails): CheckOutcome {
  const verdict = evaluateAssertions(settings.assertions, response);
  const judged = verdict.outcomes.length > 0 ? { ...details, assertions: verdict.outcomes } : details;
  const status = response.statusCode;
  const statusOwned = settings.assertions.some((a) => a.source === AssertionSource.ASSERTION_SOURCE_STATUS_CODE);
  const expected = settings.expectedStatusCode;
  if (!statusOwned && status !== expected) {
    return failure(
      ErrorKind.ERROR_KIND_UNEXPECTED_STATUS,
      CheckPhase.CHECK_PHASE_ASSERTION,
      `expected status ${expected}, got ${status}`,
      judged,
    );
  }
  if (settings.keyword !== undefined) {
    const body = response.body!;
    const found = body.text.includes(settings.keyword);
    if (found === settings.keywordAbsent) {
      const where = body.truncated ? ` in the first ${body.bytes} bytes` : '';
      const message = settings.keywordAbsent
        ? `keyword "${settings.keyword}" must be absent but was found${where}`
        : `keyword "${settings.keyword}" not found${where}`;
      return failure(ErrorKind.ERROR_KIND_KEYWORD, CheckPhase.CHECK_PHASE_ASSERTION, message, judged);
    }
  }
  if (verdict.failure) return failure(ErrorKind.ERROR_KIND_ASSERTION, CheckPhase.CHECK_PHASE_ASSERTION, verdict.failure, judged);
  return success(judged);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
