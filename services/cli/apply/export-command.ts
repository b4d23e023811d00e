import type { PharosApi } from './api-client.js';
import { serialiseDocument } from './document.js';
import { minimalSpec, remoteConfig } from './monitor-config.js';
import { reportFailure, type Output } from './output.js';

export interface ExportDeps extends Output {
  api: PharosApi;
  writeFile: (path: string, text: string) => Promise<void>;
  /** Standard output as a whole text, so the document is written as one piece. */
  writeStdout: (text: string) => void;
}

/** `pharos export`: the organization's monitors as a file that `pharos apply` takes back with no changes. */
export async function runExport(opts: { output?: string }, deps: ExportDeps): Promise<number> {
  try {
    const [monitors, declaredRegions] = await Promise.all([deps.api.listMonitors(), deps.api.listRegions()]);
    const specs = monitors.map((m) => minimalSpec(remoteConfig(m), declaredRegions)).sort((a, b) => a.name.localeCompare(b.name));
    const text = serialiseDocument(specs);
    if (opts.output) {
      await deps.writeFile(opts.output, text);
      deps.err(`wrote ${specs.length} monitor(s) to ${opts.output}`);
    } else {
      deps.writeStdout(text);
    }
    return 0;
  } catch (err) {
    reportFailure(err, deps);
    return 1;
  }
}
