/** How template values become text and numbers; shared by the renderer and the built-ins. */
import type { Expr } from '../plan.js';

/**
 * The text of a value inside a template: strings as they are, numbers and booleans as JavaScript
 * prints them, `null` as the empty string, objects and arrays as JSON. `undefined` never gets here
 * (an undefined reference is a render error).
 */
export function toText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'undefined':
      return '';
    default:
      if (value === null) return '';
      return JSON.stringify(value) ?? '';
  }
}

/** A number from a number or a numeric string (`"42"`, `" 1.5 "`); undefined otherwise. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** An expression written back as source text, for messages: `users.email`, `items[0]`, `random.int(1, 5)`. */
export function exprText(e: Expr): string {
  switch (e.kind) {
    case 'lit':
      return typeof e.value === 'string' ? JSON.stringify(e.value) : String(e.value);
    case 'ref': {
      let out = e.root;
      for (const seg of e.path) {
        if (typeof seg === 'number') out += `[${seg}]`;
        else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += `.${seg}`;
        else out += `[${JSON.stringify(seg)}]`;
      }
      return out;
    }
    case 'call':
      return `${e.fn}(${e.args.map(exprText).join(', ')})`;
  }
}

/** Sets an own enumerable property, even one named `__proto__`, without touching any prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
