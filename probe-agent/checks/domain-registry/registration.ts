/**
 * What a registry (over RDAP or WHOIS) says about one domain name, in one shape whichever
 * protocol answered, so the checker judges both alike.
 */
export type RegistryAnswer = { registered: false } | ({ registered: true } & Registration);

export interface Registration {
  /** Unix milliseconds; 0 when the registry does not publish it. */
  expiresAtMs: number;
  /** Unix milliseconds; 0 when the registry does not publish it. */
  registeredAtMs: number;
  /** Empty when the registry does not name one. */
  registrar: string;
  /** EPP statuses in RDAP's spelling (RFC 8056), e.g. "client transfer prohibited". */
  statuses: string[];
}
