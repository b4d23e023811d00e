// Small MIT libraries that ship no type declarations: the parts this code uses.
declare module 'spf-parse' {
  interface SpfMechanism { prefix: string; type: string; value?: string }
  function parse(record: string): { mechanisms: SpfMechanism[]; valid: boolean; messages?: Array<{ message: string; type: string }> };
  export default parse;
}
declare module 'dmarc-parse' {
  function parse(record: string): { tags: Record<string, { value: string }>; messages?: string[] };
  export default parse;
}
declare module 'role-based-email-addresses' {
  const roles: string[];
  export default roles;
}
declare module 'email-providers' {
  const domains: string[];
  export default domains;
}
