/** Errors of the template language: one raised when compiling, one when rendering. */
import { ERROR_CODES, RampartError } from '../../errors.js';

/** A template that does not compile: bad syntax, an unknown function, a wrong number of arguments. */
export class TemplateError extends RampartError {
  /** 0-based index into `source` where the problem is. */
  readonly offset: number;
  /** The template text the offset refers to. */
  readonly source: string;
  /**
   * Keys from the root of a structured value to the string that failed (set by
   * `compileTemplateValue`, e.g. `['user', 'tags', 0]`); empty for a lone template.
   */
  readonly path: readonly (string | number)[];
  constructor(message: string, source: string, offset: number, path: readonly (string | number)[] = []) {
    super(ERROR_CODES.TEMPLATE, message);
    this.name = 'TemplateError';
    this.source = source;
    this.offset = offset;
    this.path = path;
  }

  /** The same error located under `key` of an enclosing object or array. */
  under(key: string | number): TemplateError {
    return new TemplateError(this.message, this.source, this.offset, [key, ...this.path]);
  }
}

/**
 * A template that compiled but cannot be rendered with the variables at hand: an undefined
 * reference, or a function given a value it cannot use (`random.int("a", 2)`).
 */
export class RenderError extends RampartError {
  /** The reference or function at fault as written, e.g. `users.email` or `random.int`. */
  readonly ref: string;
  constructor(message: string, ref: string) {
    super(ERROR_CODES.TEMPLATE, message);
    this.name = 'RenderError';
    this.ref = ref;
  }
}
