/** Reads an Artillery script with rampart's safe YAML reader: positions for every node, no code tags. */
import { readFile } from 'node:fs/promises';
import { ERROR_CODES } from '../../errors.js';
import { parseSource } from '../../scenario/source.js';
import type { Positions } from '../../scenario/positions.js';
import { ImportError, problemAt } from '../problems.js';

/** A parsed Artillery script. */
export interface ArtilleryScript {
  readonly value: Record<string, unknown>;
  readonly positions: Positions;
  /** The script as the user named it. */
  readonly file: string;
}

/** Reads `path`. @throws ImportError with the line and column of what is wrong */
export async function readArtillery(path: string, file: string): Promise<ArtilleryScript> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ImportError([problemAt(file, 1, 1, `cannot read the Artillery script: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, undefined, ERROR_CODES.FILE_READ)]);
  }
  return parseArtillery(text, file);
}

/** Parses script text. @throws ImportError */
export function parseArtillery(text: string, file: string): ArtilleryScript {
  // No environment: an Artillery script reads its own ($processEnvironment), not ${…}.
  const src = parseSource(text, file, {});
  const problems = src.problems.filter((p) => p.code !== ERROR_CODES.ENV_UNSET);
  if (problems.length > 0 || src.value === undefined) throw new ImportError(problems);
  const v = src.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || !Array.isArray((v as Record<string, unknown>)['scenarios'])) {
    throw new ImportError([problemAt(file, 1, 1, 'not an Artillery script: no `scenarios` list', 'an Artillery script has `config:` and `scenarios: [{ flow: [ … ] }]`')]);
  }
  return { value: v as Record<string, unknown>, positions: src.positions, file };
}
