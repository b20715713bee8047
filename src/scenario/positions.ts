/**
 * Source positions of every node of a scenario document, by JSON pointer, so that a problem found
 * by the schema or a semantic rule points at `file:line:col` of the offending key or value.
 */
import type { LineCounter } from 'yaml';
import type { Location } from '../errors.js';
import type { SourcePos } from './plan.js';

/** Offsets into the source text: `[start, end)` of a key and of its value. */
export interface NodeRange {
  readonly key?: readonly [number, number];
  readonly value: readonly [number, number];
  /** The value's text as written (scalars only), to place offsets inside a string. */
  readonly raw?: string;
  /** Offset of the scalar's content inside its source (1 for quoted scalars, 0 otherwise). */
  readonly contentShift?: number;
}

/** Escapes one JSON-pointer segment (RFC 6901), the way ajv writes instance paths. */
export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** `['load', 'phases', 0]` → `/load/phases/0`. */
export function toPointer(path: readonly (string | number)[]): string {
  return path.map((s) => `/${escapePointer(s)}`).join('');
}

/** Maps JSON pointers to source locations. */
export class Positions {
  readonly file: string;
  private readonly ranges: Map<string, NodeRange>;
  private readonly lines: LineCounter;
  /** Pointers whose values came from another file (`include`): prefix here → that file's positions. */
  private readonly overlays: { readonly prefix: string; readonly pos: Positions; readonly there: string }[] = [];

  constructor(file: string, lines: LineCounter, ranges: Map<string, NodeRange>) {
    this.file = file;
    this.lines = lines;
    this.ranges = ranges;
  }

  /** Values under `prefix` come from `pos` (another file), where they sit under `there`. */
  addOverlay(prefix: string, pos: Positions, there: string): void {
    this.overlays.unshift({ prefix, pos, there });
  }

  private overlayFor(pointer: string): { pos: Positions; pointer: string } | undefined {
    for (const o of this.overlays) {
      if (pointer === o.prefix || pointer.startsWith(`${o.prefix}/`)) return { pos: o.pos, pointer: o.there + pointer.slice(o.prefix.length) };
    }
    return undefined;
  }

  /** Location of an offset into the source. */
  at(offset: number, pointer?: string): Location {
    const { line, col } = this.lines.linePos(offset);
    return pointer === undefined ? { file: this.file, line, col } : { file: this.file, line, col, pointer };
  }

  /**
   * Location of the node at `pointer`: its key when `onKey` (unknown keys), else its value. A
   * pointer with no node (a missing property) falls back to the nearest existing ancestor.
   */
  locate(pointer: string, onKey = false): Location {
    const other = this.overlayFor(pointer);
    if (other) return other.pos.locate(other.pointer, onKey);
    let p = pointer;
    for (;;) {
      const r = this.ranges.get(p);
      if (r) {
        const off = onKey && r.key ? r.key[0] : r.value[0];
        return this.at(off, pointer);
      }
      if (p === '') return { file: this.file, line: 1, col: 1, pointer };
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }

  /**
   * Location of character `index` inside the string value at `pointer` (a template error, an
   * unknown variable). Exact for plain and quoted scalars without escapes; else the value's start.
   */
  inString(pointer: string, index: number): Location {
    const other = this.overlayFor(pointer);
    if (other) return other.pos.inString(other.pointer, index);
    const r = this.ranges.get(pointer);
    if (!r) return this.locate(pointer);
    const shift = r.contentShift ?? 0;
    const raw = r.raw;
    if (raw !== undefined && index >= 0 && index <= raw.length) return this.at(r.value[0] + shift + index, pointer);
    return this.at(r.value[0], pointer);
  }

  /** The plan's SourcePos of the node at `pointer`. */
  pos(pointer: string): SourcePos {
    const l = this.locate(pointer);
    return { file: l.file, line: l.line, col: l.col };
  }

  has(pointer: string): boolean {
    return this.ranges.has(pointer);
  }
}
