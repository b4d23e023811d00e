/**
 * `npm run bench`: runs every benchmark in its own process, one after another (they must
 * not share this 2-core machine's CPU), and prints the figures each reports on its
 * `BENCH {json}` line. Pass names to run a subset: `npm run bench -- scheduler stats`.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !wanted.length || wanted.some((w) => f.startsWith(w)))
  .sort();

/**
 * Node flags a benchmark asks for with a `// @node-options <flags>` line: the flags its role
 * runs with in production (e.g. ingest's GC tuning), so the figures are that process's.
 */
function nodeOptions(file: string): string[] {
  const m = /^\/\/ @node-options (.+)$/m.exec(readFileSync(path.join(dir, file), 'utf8'));
  return m ? m[1].trim().split(/\s+/) : [];
}

const figures: Record<string, unknown>[] = [];
let failed = 0;
for (const file of benches) {
  process.stdout.write(`\n== ${file}\n`);
  const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
    const child = spawn(process.execPath, [...nodeOptions(file), '--import', 'tsx', path.join(dir, file)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
    let text = '';
    child.stdout.on('data', (d) => { text += d; process.stdout.write(d); });
    child.on('exit', (code) => resolve({ code, text }));
  });
  if (out.code !== 0) failed++;
  for (const line of out.text.split('\n')) if (line.startsWith('BENCH ')) figures.push(JSON.parse(line.slice(6)));
}
process.stdout.write(`\n== summary\n${figures.map((f) => JSON.stringify(f)).join('\n')}\n`);
process.exit(failed ? 1 : 0);
