/** The work message of one execution: its id only; the worker reads the rest from the store. */
export interface ExecutionJob {
  executionId: string;
}

export function encodeExecutionJob(job: ExecutionJob): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ executionId: job.executionId }));
}

/** Undefined for a message that is not an execution job (it is dropped, not retried). */
export function decodeExecutionJob(data: Uint8Array): ExecutionJob | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as { executionId?: unknown };
    return typeof v.executionId === 'string' && v.executionId.length <= 200 ? { executionId: v.executionId } : undefined;
  } catch {
    return undefined;
  }
}
