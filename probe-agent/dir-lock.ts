/**
 * One agent per data directory: two writers would interleave the outbox log's records.
 * The lock file holds the owner's pid; a lock left by a dead process (kill -9) or by our own
 * pid (a restarted container is often pid 1 again) is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

export function lockDir(dir: string): () => void {
  const file = path.join(dir, 'lock');
  try {
    fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const owner = Number(fs.readFileSync(file, 'utf8').trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`the agent data directory ${dir} is in use by process ${owner}; give each agent its own PHAROS_AGENT_DATA_DIR`);
    }
    fs.writeFileSync(file, String(process.pid));
  }
  return () => fs.rmSync(file, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
