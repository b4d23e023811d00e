/**
 * Runs a tenant's regular expression with a time budget. JavaScript regexes backtrack, so
 * a pattern such as `(a+)+$` can take exponential time on a crafted response and stall
 * the agent's event loop for every other check. V8 cannot bound a plain `test()` call, but
 * it interrupts a script run with a `vm` timeout, regex execution included; only this
 * fixed one-line script runs there, the pattern itself is data (`new RegExp`, never eval).
 */
import vm from 'node:vm';

/** Long enough for any sane pattern on a 1 MiB body, short enough not to starve other checks. */
export const REGEX_BUDGET_MS = 50;

// One context and one compiled script for the process: creating a context costs about a
// millisecond, and the pair holds no state between calls (the inputs are cleared after each).
const context = vm.createContext(Object.create(null) as object);
const testInContext = new vm.Script('pattern.test(subject)');

/** `pattern.test(subject)`, or `undefined` when it ran out of time. */
export function boundedTest(pattern: RegExp, subject: string, budgetMs = REGEX_BUDGET_MS): boolean | undefined {
  const scope = context as { pattern?: RegExp; subject?: string };
  scope.pattern = pattern;
  scope.subject = subject;
  try {
    return testInContext.runInContext(context, { timeout: budgetMs }) as boolean;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return undefined;
    throw err;
  } finally {
    scope.pattern = undefined;
    scope.subject = undefined;
  }
}
