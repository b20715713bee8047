/** What the Artillery mappers share: comments, warnings with positions into the script, hooks. */
import { toPointer } from '../../scenario/positions.js';
import type { Notes } from '../emit.js';
import type { ArtilleryScript } from './read.js';
import type { TemplateMap } from './templates.js';

/** The mapping in progress. */
export class MapContext {
  readonly warnings: string[] = [];
  /** JavaScript hooks met, one line each with their position. */
  readonly hooks: string[] = [];

  constructor(
    readonly script: ArtilleryScript,
    readonly notes: Notes,
    readonly names: TemplateMap,
  ) {}

  /** `file:line:col` of the node at `path`. */
  at(path: readonly (string | number)[]): string {
    const l = this.script.positions.locate(toPointer(path));
    return `${this.script.file}:${l.line}:${l.col}`;
  }

  /** Something that could not be mapped: a warning on stderr (with its position) and the comment text. */
  unmapped(path: readonly (string | number)[], what: string): string {
    const line = `${this.at(path)}: ${what}`;
    this.warnings.push(line);
    return `NOT IMPORTED (${this.at(path).slice(this.script.file.length + 1)}): ${what}`;
  }

  /** A JavaScript hook: listed at the end, and the comment text for where it stood. */
  hook(path: readonly (string | number)[], what: string): string {
    this.hooks.push(`${this.at(path)}: ${what}`);
    return `JavaScript hook not run (${this.at(path).slice(this.script.file.length + 1)}): ${what} — write it as steps (capture, set, if) or drop it`;
  }
}

/** A plain object, or undefined. */
export const asObj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

/** Seconds (Artillery's unit for durations given as numbers) or a duration string as a rampart duration. */
export function seconds(v: unknown): string | undefined {
  if (typeof v === 'number' && v >= 0) return `${v}s`;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return `${s}s`;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?|m|min|mins|minutes?|h|hours?)$/i.exec(s);
  if (!m) return undefined;
  const unit = (m[2] ?? 's').toLowerCase();
  return `${m[1]}${unit === 'ms' ? 'ms' : unit.startsWith('s') ? 's' : unit.startsWith('m') ? 'm' : 'h'}`;
}
