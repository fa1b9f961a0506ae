import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BUILD = fileURLToPath(new URL('../scripts/build.mjs', import.meta.url));

/** `npm run build` before a benchmark: dist/ and the CLI bundle bin/gantry.cjs runs. */
export function buildDist(log: (line: string) => void): void {
  log('building dist/ (npm run build)');
  execFileSync(process.execPath, [BUILD], { stdio: 'inherit' });
}
