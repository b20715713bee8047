import { readFileSync } from 'node:fs';

/** The package manifest's fields rampart reads. */
interface Manifest {
  readonly name?: string;
  readonly version?: string;
}

// package.json sits one level up from src/ and two from dist/src/: read as data, never loaded as a module.
function readVersion(): string {
  for (const url of [new URL('../package.json', import.meta.url), new URL('../../package.json', import.meta.url)]) {
    try {
      const pkg = JSON.parse(readFileSync(url, 'utf8')) as Manifest;
      if (pkg.name === 'rampart' && typeof pkg.version === 'string' && pkg.version !== '') return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

/** rampart's version, from package.json. */
export const VERSION: string = readVersion();
