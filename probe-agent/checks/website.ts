/**
 * Website (HTTP/HTTPS) check: one fresh connection per hop, redirects followed hop by hop
 * (each hop resolved through the target resolver, the SSRF hook), then the status and
 * keyword assertions against the final response.
 */
import type { WebsiteSettings } from '../../proto/generated/pharos/v1/check.js';
import { CheckPhase, ErrorKind, type TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import { failure, success, type Checker, type CheckOutcome, type OutcomeDetails } from './checker.js';
import { classifyFailure, TlsVerificationError } from './failure-kind.js';
import { exchange, readBody, type ReadBody } from './http-exchange.js';
import { PhaseClock } from './phase-clock.js';
import { systemResolver, type TargetResolver } from './target-resolver.js';
import { firstRequest, maxRedirectsOf, redirectedRequest, validateWebsiteSettings } from './website-settings.js';

export interface WebsiteCheckerDeps {
  /** Resolves (and may refuse) every hop's host; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
  userAgent?: string;
  /** Body bytes read at most; a keyword is searched in this prefix. */
  maxBodyBytes?: number;
}

export const DEFAULT_USER_AGENT = 'Pharos-Probe/1.0';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export function createWebsiteChecker(deps: WebsiteCheckerDeps = {}): Checker<'website'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  const userAgent = deps.userAgent ?? DEFAULT_USER_AGENT;
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  return {
    validate: validateWebsiteSettings,

    async run(job, signal) {
      const settings = job.settings.value;
      const clock = new PhaseClock();
      const options = { resolveTarget, ignoreTlsErrors: settings.ignoreTlsErrors };
      let tls: TlsInfo | undefined;
      let statusCode = 0;
      try {
        let request = firstRequest(settings, userAgent);
        const maxRedirects = maxRedirectsOf(settings);
        for (let redirects = 0; ; redirects++) {
          const hop = await exchange(request, options, clock, signal);
          try {
            tls = soonerExpiring(tls, hop.tls);
            statusCode = hop.statusCode;
            const location = settings.followRedirects && REDIRECT_STATUS.has(statusCode) ? single(hop.headers.location) : undefined;
            if (location === undefined) {
              clock.enter(CheckPhase.CHECK_PHASE_TRANSFER);
              const body = await readBody(hop.body, settings.keyword !== '', maxBodyBytes);
              return judge(settings, body, { timings: clock.stop(), statusCode, tls });
            }
            if (redirects >= maxRedirects) {
              return failure(
                ErrorKind.ERROR_KIND_TOO_MANY_REDIRECTS,
                CheckPhase.CHECK_PHASE_ASSERTION,
                `more than ${maxRedirects} redirects (last to ${location})`,
                { timings: clock.stop(), statusCode, tls },
              );
            }
            request = redirectedRequest(request, statusCode, location);
          } finally {
            hop.close();
          }
        }
      } catch (err) {
        const phase = clock.phase;
        if (err instanceof TlsVerificationError) tls = soonerExpiring(tls, err.info);
        const failed = classifyFailure(err, phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: clock.stop(), statusCode, tls });
      }
    },
  };
}

function judge(settings: WebsiteSettings, body: ReadBody, details: OutcomeDetails): CheckOutcome {
  const status = details.statusCode ?? 0;
  const expected = settings.expectedStatusCode;
  const statusOk = expected ? status === expected : status >= 200 && status < 300;
  if (!statusOk) {
    return failure(
      ErrorKind.ERROR_KIND_UNEXPECTED_STATUS,
      CheckPhase.CHECK_PHASE_ASSERTION,
      `expected status ${expected || '2xx'}, got ${status}`,
      details,
    );
  }
  if (settings.keyword) {
    const found = body.text.includes(settings.keyword);
    if (found === settings.keywordAbsent) {
      const where = body.truncated ? ` in the first ${body.bytes} bytes` : '';
      const message = settings.keywordAbsent
        ? `keyword "${settings.keyword}" must be absent but was found${where}`
        : `keyword "${settings.keyword}" not found${where}`;
      return failure(ErrorKind.ERROR_KIND_KEYWORD, CheckPhase.CHECK_PHASE_ASSERTION, message, details);
    }
  }
  return success(details);
}

/**
 * Across redirect hops the certificate recorded is the one expiring first: any hop's
 * expired certificate breaks the check, so that is the date worth alerting on.
 */
function soonerExpiring(current: TlsInfo | undefined, next: TlsInfo | undefined): TlsInfo | undefined {
  if (!current) return next;
  if (!next) return current;
  return next.notAfterMs < current.notAfterMs ? next : current;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
