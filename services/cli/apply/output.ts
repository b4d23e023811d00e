import { ApiError, ApiUnreachable } from './api-client.js';
import { DocumentError } from './document.js';

export interface Output {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** Known failures as lines a user can act on (the API's field details verbatim); anything else is a bug and rethrown. */
export function reportFailure(err: unknown, output: Output): void {
  if (err instanceof DocumentError) {
    output.err(`${err.source}: invalid monitors file`);
    for (const p of err.problems) output.err(`  ${p}`);
  } else if (err instanceof ApiError) {
    output.err(`error: ${err.message}`);
    for (const d of err.body?.details ?? []) output.err(`  ${d.field} ${d.message}`);
  } else if (err instanceof ApiUnreachable) {
    output.err(`error: ${err.message}`);
  } else {
    throw err;
  }
}
