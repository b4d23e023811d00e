/**
 * The Diligent document's vocabulary (../shared/seeds/003): the four check names, the
 * frequencies and their periods, the running states, and the defaults. The api, the
 * scheduler and the worker import these; no other place keeps a copy.
 */
export const CHECK_NAMES = [
  'non_operational_website',
  'high_risk_mcc',
  'high_risk_diligent_classification',
  'catalog_contain_loan_flipping_indicators',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const FREQUENCY_DAYS = { weekly: 7, every_2_weeks: 14, every_3_weeks: 21, every_4_weeks: 28 } as const;
export type Frequency = keyof typeof FREQUENCY_DAYS;
export const FREQUENCIES = Object.keys(FREQUENCY_DAYS) as Frequency[];
export const DEFAULT_FREQUENCY: Frequency = 'every_2_weeks';

export const RUNNING_STATES = ['IDLE', 'QUEUED', 'RUNNING'] as const;
export type RunningState = (typeof RUNNING_STATES)[number];

export const DAY_MS = 86_400_000;

export function periodMs(frequency: Frequency): number {
  return FREQUENCY_DAYS[frequency] * DAY_MS;
}

/** "Defaults to 6 months from creation": the same day of the month six calendar months on (UTC). */
export function defaultExpiry(createdMs: number): number {
  const d = new Date(createdMs);
  const target = new Date(createdMs);
  target.setUTCMonth(d.getUTCMonth() + 6);
  // 31 August + 6 months is not 3 March: clamp to the last day of the target month.
  if (target.getUTCDate() !== d.getUTCDate()) target.setUTCDate(0);
  return target.getTime();
}

export function isCheckName(v: unknown): v is CheckName {
  return typeof v === 'string' && (CHECK_NAMES as readonly string[]).includes(v);
}
