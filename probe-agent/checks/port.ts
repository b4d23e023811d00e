/** Port check: can a TCP connection be opened to host:port, and how long does it take. */
import { CheckPhase } from '../../proto/generated/pharos/v1/result.js';
import { failure, success, type Checker } from './checker.js';
import { connectTcp } from './connection.js';
import { classifyFailure } from './failure-kind.js';
import { PhaseClock } from './phase-clock.js';
import { systemResolver, type TargetResolver } from './target-resolver.js';

export interface PortCheckerDeps {
  /** Resolves (and may refuse) the host; default: system DNS, nothing refused. */
  resolveTarget?: TargetResolver;
}


export function createPortChecker(deps: PortCheckerDeps = {}): Checker<'port'> {
  const resolveTarget = deps.resolveTarget ?? systemResolver;
  return {
    async run(job, signal) {
      const { hostname, port } = job.settings.value;
      const clock = new PhaseClock();
      try {
        clock.enter(CheckPhase.CHECK_PHASE_DNS);
        const target = await resolveTarget(hostname, signal);
        clock.enter(CheckPhase.CHECK_PHASE_CONNECT);
        const socket = await connectTcp(target, port, signal);
        socket.destroy();
        return success({ timings: clock.stop() });
      } catch (err) {
        const failed = classifyFailure(err, clock.phase, signal);
        return failure(failed.kind, failed.phase, failed.message, { timings: clock.stop() });
      }
    },
  };
}
