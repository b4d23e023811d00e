/**
 * Maps what went wrong during a check (an errno, a TLS verification code, an abort) to the
 * error kind and phase stored with the result.
 */
import { CheckPhase, ErrorKind, type TlsInfo } from '../../proto/generated/pharos/v1/result.js';
import { BlockedTargetError } from './target-resolver.js';

export interface ClassifiedFailure {
  kind: ErrorKind;
  phase: CheckPhase;
  message: string;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE']);
const NETWORK_CODES = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** Error thrown by our own TLS step when verification fails and errors are not ignored. */
export class TlsVerificationError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The certificate that failed, so its expiry is recorded with the failure. */
    readonly info?: TlsInfo,
  ) {
    super(message);
    this.name = 'TlsVerificationError';
  }
}

export function isTimeoutAbort(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}

export function classifyFailure(err: unknown, phase: CheckPhase, signal: AbortSignal): ClassifiedFailure {
  if (signal.aborted) {
    if (isTimeoutAbort(signal)) {
      return { kind: ErrorKind.ERROR_KIND_TIMEOUT, phase, message: `${messageOf(signal.reason)} (during ${phaseName(phase)})` };
    }
    return { kind: ErrorKind.ERROR_KIND_INTERNAL, phase, message: `check aborted: ${messageOf(signal.reason)}` };
  }
  if (err instanceof BlockedTargetError) {
    return { kind: ErrorKind.ERROR_KIND_BLOCKED_TARGET, phase: CheckPhase.CHECK_PHASE_DNS, message: err.message };
  }
  if (err instanceof TlsVerificationError) {
    return { kind: ErrorKind.ERROR_KIND_TLS, phase: CheckPhase.CHECK_PHASE_TLS, message: err.message };
  }
  const code = codeOf(err);
  const message = messageOf(err);
  if (DNS_CODES.has(code)) return { kind: ErrorKind.ERROR_KIND_DNS, phase: CheckPhase.CHECK_PHASE_DNS, message };
  if (code === 'ECONNREFUSED') {
    return { kind: ErrorKind.ERROR_KIND_CONNECTION_REFUSED, phase: CheckPhase.CHECK_PHASE_CONNECT, message };
  }
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: ErrorKind.ERROR_KIND_TIMEOUT, phase, message };
  }
  if (RESET_CODES.has(code)) return { kind: ErrorKind.ERROR_KIND_CONNECTION_RESET, phase, message };
  if (phase === CheckPhase.CHECK_PHASE_TLS || isTlsCode(code)) {
    return { kind: ErrorKind.ERROR_KIND_TLS, phase: CheckPhase.CHECK_PHASE_TLS, message };
  }
  if (NETWORK_CODES.has(code)) return { kind: ErrorKind.ERROR_KIND_NETWORK, phase, message };
  return { kind: ErrorKind.ERROR_KIND_NETWORK, phase, message: code ? `${code}: ${message}` : message };
}

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.startsWith('CERT_') ||
    code.startsWith('UNABLE_TO_') ||
    code.includes('SELF_SIGNED') ||
    code === 'HOSTNAME_MISMATCH'
  );
}

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function phaseName(phase: CheckPhase): string {
  switch (phase) {
    case CheckPhase.CHECK_PHASE_DNS:
      return 'dns';
    case CheckPhase.CHECK_PHASE_CONNECT:
      return 'connect';
    case CheckPhase.CHECK_PHASE_TLS:
      return 'tls';
    case CheckPhase.CHECK_PHASE_TTFB:
      return 'ttfb';
    case CheckPhase.CHECK_PHASE_TRANSFER:
      return 'transfer';
    case CheckPhase.CHECK_PHASE_ASSERTION:
      return 'assertion';
    case CheckPhase.CHECK_PHASE_ECHO:
      return 'echo';
    case CheckPhase.CHECK_PHASE_QUERY:
      return 'query';
    case CheckPhase.CHECK_PHASE_HEARTBEAT:
      return 'heartbeat';
    default:
      return 'unknown phase';
  }
}
