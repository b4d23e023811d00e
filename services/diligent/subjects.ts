/**
 * The Diligent worker's subjects (docs/architecture.md lists them with the others):
 * - `<p>.jobs.diligent.<region>`: JetStream work queue per Diligent region (the jobs stream
 *   is bound to `<p>.jobs.>`), one execution per message, msgId =
 *   `<execution id>#<attempt>@<region>`, shared by every diligent worker of that region;
 *   explicit ack once the region's findings are stored, redelivered when a worker dies
 *   holding it.
 * - `<p>.diligent.due`: core notice, api → scheduler, "a run was requested": the scheduler
 *   scans at once instead of at its next poll (a lost notice only delays to that poll).
 */
export interface DiligentSubjects {
  work(region: string): string;
  due: string;
}

export function diligentSubjects(prefix: string): DiligentSubjects {
  return { work: (region) => `${prefix}.jobs.diligent.${region}`, due: `${prefix}.diligent.due` };
}

/** The region of a deployment that configures none (PHAROS_DILIGENT_REGIONS unset and no PHAROS_REGION). */
export const DEFAULT_DILIGENT_REGION = 'local';
