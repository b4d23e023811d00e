/** The longest a check may take, seconds: a monitor's `timeoutSeconds` at most. Import-free, so the agent can use it. */
export const MAX_CHECK_TIMEOUT_SECONDS = 300;
