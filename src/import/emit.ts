/**
 * Writes an imported scenario as YAML with comments. The importers build plain data and attach
 * comments to it through {@link Notes} (keyed by the object itself, so building stays plain);
 * {@link toYaml} walks the YAML document beside the data and places each comment.
 */
import { Document, isMap, isPair, isScalar, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';

/** Comments and layout hints attached to the objects of a scenario being built. */
export class Notes {
  private readonly before = new WeakMap<object, string[]>();
  private readonly keys = new WeakMap<object, Map<string, string[]>>();
  private readonly flows = new WeakSet<object>();

  /** A comment above `obj` (a list item: a step, a phase); `first` puts it above the others. */
  above(obj: object, text: string, first = false): void {
    const list = this.before.get(obj) ?? [];
    if (first) list.unshift(text);
    else list.push(text);
    this.before.set(obj, list);
  }

  /** A comment above the entry `key` of the mapping `obj`. */
  aboveKey(obj: object, key: string, text: string): void {
    const byKey = this.keys.get(obj) ?? new Map<string, string[]>();
    byKey.set(key, [...(byKey.get(key) ?? []), text]);
    this.keys.set(obj, byKey);
  }

  /** Writes `obj` on one line (`{ status: 200 }`). */
  flow<T extends object>(obj: T): T {
    this.flows.add(obj);
    return obj;
  }

  /** @internal */
  commentsAbove(obj: object): readonly string[] | undefined {
    return this.before.get(obj);
  }
  /** @internal */
  commentsAboveKey(obj: object, key: string): readonly string[] | undefined {
    return this.keys.get(obj)?.get(key);
  }
  /** @internal */
  isFlow(obj: object): boolean {
    return this.flows.has(obj);
  }
}

const asComment = (lines: readonly string[]): string =>
  lines
    .flatMap((l) => l.split('\n'))
    .map((l) => ` ${l}`)
    .join('\n');

function place(node: YamlNode | null | undefined, value: unknown, notes: Notes): void {
  if (node === null || node === undefined || value === null || typeof value !== 'object') return;
  if (notes.isFlow(value) && (isMap(node) || isSeq(node))) node.flow = true;
  if (isSeq(node) && Array.isArray(value)) {
    node.items.forEach((item, i) => {
      const v: unknown = value[i];
      if (v !== null && typeof v === 'object') {
        const c = notes.commentsAbove(v);
        if (c) (item as YamlNode).commentBefore = asComment(c);
      }
      place(item as YamlNode, v, notes);
    });
  } else if (isMap(node)) {
    const obj = value as Record<string, unknown>;
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const c = notes.commentsAboveKey(obj, key);
      if (c) pair.key.commentBefore = asComment(c);
      place(pair.value as YamlNode, obj[key], notes);
    }
  }
}

/** The scenario as YAML text: a header comment, the data with its notes, a trailing comment. */
export function toYaml(scenario: object, notes: Notes, header: readonly string[], trailer: readonly string[] = []): string {
  const doc = new Document(scenario);
  place(doc.contents as YamlNode, scenario, notes);
  if (header.length > 0) doc.commentBefore = asComment(header);
  if (trailer.length > 0) doc.comment = asComment(trailer);
  const text = doc.toString({ lineWidth: 0, indentSeq: true });
  return text.endsWith('\n') ? text : `${text}\n`;
}
