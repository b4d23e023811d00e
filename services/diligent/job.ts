/** The work message of one execution in one region: ids only; the worker reads the rest from the store. */
export interface ExecutionJob {
  executionId: string;
  region: string;
}

export function encodeExecutionJob(job: ExecutionJob): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ executionId: job.executionId, region: job.region }));
}

/** Undefined for a message that is not an execution job (it is dropped, not retried). */
export function decodeExecutionJob(data: Uint8Array): ExecutionJob | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as { executionId?: unknown; region?: unknown };
    if (typeof v.executionId !== 'string' || v.executionId.length > 200) return undefined;
    if (typeof v.region !== 'string' || v.region.length > 64) return undefined;
    return { executionId: v.executionId, region: v.region };
  } catch {
    return undefined;
  }
}
