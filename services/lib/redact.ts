/**
 * Removing credentials from text before it reaches a log or an error message (DESIGN.md
 * §9: secrets are never logged). Service URLs carry passwords (`nats://u:p@host`,
 * `postgres://u:p@host/db`), NATS server lists are comma-separated, and API clients may put
 * a key in a query string (`?key=`, `?api_key=`). The helpers work on any text, not only
 * on well-formed URLs, because the text that leaks is usually an error message that
 * embeds a URL, or a URL the parser would refuse.
 */

export const REDACTED = '[redacted]';

/** `scheme://userinfo@`: the userinfo is a username and password, or a bare token. */
// Greedy up to the authority's last '@': an unencoded '@' in a password must not leak its tail.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@/gi;

/**
 * Query parameter names that may hold a credential. Matched as a part of the name, so
 * `api_key`, `apiKey`, `access_token`, `sslpassword` and `X-Amz-Signature` are all caught.
 */
const SECRET_PARAM = /key|token|secret|passw|pwd|auth|signature|sig$|credential|session/i;

const QUERY_PARAM = /([?&;])([^=&;#\s]*)=([^&;#\s]*)/g;

/**
 * The text with every URL's password (or bare token user) and every secret-looking query
 * value replaced by `[redacted]`; a username without a password is kept only when it is
 * followed by a password (a lone userinfo is a NATS token, so it goes).
 */
export function redactSecrets(text: string): string {
  return text
    .replace(USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(':');
      return colon < 0 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(QUERY_PARAM, (all, sep: string, name: string) => (SECRET_PARAM.test(safeDecode(name)) ? `${sep}${name}=${REDACTED}` : all));
}

/** A service URL (or a comma-separated list of them) as it may be logged. */
export const redactUrl = (url: string): string => redactSecrets(url);

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
