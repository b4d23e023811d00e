/**
 * Boundary error classification for the bus (DESIGN.md §9): callers retry transient
 * errors (NATS down, timeouts) and surface fatal ones (bad subject, permissions).
 */
import { errors } from '@nats-io/transport-node';

export class BusUnavailableError extends Error {
  readonly transient = true;
  constructor(message: string, opts?: ErrorOptions) {
    super(message, opts);
    this.name = 'BusUnavailableError';
  }
}

export function isTransientBusError(err: unknown): boolean {
  if (err instanceof BusUnavailableError) return true;
  return (
    err instanceof errors.TimeoutError ||
    err instanceof errors.NoRespondersError ||
    err instanceof errors.ConnectionError ||
    err instanceof errors.ClosedConnectionError ||
    err instanceof errors.DrainingConnectionError ||
    err instanceof errors.RequestError
  );
}
