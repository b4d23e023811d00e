/**
 * The Diligent worker's subjects (docs/architecture.md lists them with the others):
 * - `<p>.jobs.diligent`: JetStream work queue (the jobs stream is bound to `<p>.jobs.>`),
 *   one execution per message, msgId = `<execution id>#<attempt>`, shared by every
 *   diligent worker; explicit ack once the findings are stored, redelivered when a worker
 *   dies holding it.
 * - `<p>.diligent.due`: core notice, api → scheduler, "a run was requested": the scheduler
 *   scans at once instead of at its next poll (a lost notice only delays to that poll).
 */
export interface DiligentSubjects {
  work: string;
  due: string;
}

export function diligentSubjects(prefix: string): DiligentSubjects {
  return { work: `${prefix}.jobs.diligent`, due: `${prefix}.diligent.due` };
}
