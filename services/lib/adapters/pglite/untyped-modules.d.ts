/** node-postgres's parameter serialisation, used as-is for PGlite (sql-client.ts); @types/pg does not declare it. */
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): string | Buffer | null };
  export default utils;
}
