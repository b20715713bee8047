/**
 * Units of the scenario language: durations (`250ms`, `1m30s`), fractions (`1%`, `0.01`) and sizes
 * (`512`, `10MB`, `1GiB`). Pure functions; every failure is a {@link UnitError} with the 0-based
 * offset of the offending character in the text.
 */
import { ERROR_CODES, RampartError } from '../errors.js';
import type { ErrorCode } from '../errors.js';

/** A duration, fraction or size that does not parse or is out of range. */
export class UnitError extends RampartError {
  /** 0-based index into the text where the problem is. */
  readonly offset: number;
  constructor(message: string, offset: number, code: ErrorCode = ERROR_CODES.DURATION) {
    super(code, message);
    this.name = 'UnitError';
    this.offset = offset;
  }
}

/** Milliseconds per duration unit, largest first: compound durations must use them in this order. */
const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Reads `digits[.digits]` at `i`. Returns the text and the end index, or undefined when no digit is
 * there. The value is converted later with an exact decimal exponent shift, so `1.1s` is 1100 ms.
 */
function readDecimal(text: string, i: number): { digits: string; end: number } | undefined {
  let j = i;
  while (isDigit(text[j])) j++;
  if (j === i) return undefined;
  if (text[j] === '.' && isDigit(text[j + 1])) {
    j++;
    while (isDigit(text[j])) j++;
  }
  return { digits: text.slice(i, j), end: j };
}

/** `digits × 10^exp` without binary rounding surprises (`Number("1.1e3")` is exactly 1100). */
function scaleDecimal(digits: string, exp: number): number {
  return Number(`${digits}e${exp}`);
}

/**
 * Parses a duration into milliseconds: a number with a unit (`250ms`, `5s`, `2m`, `1h`, `1.5s`) or
 * several of them, largest unit first (`1m30s`, `1h30m`, `2s500ms`). No whitespace inside; a bare
 * number is rejected because `5` could mean seconds or milliseconds. `0s` is 0: callers that need
 * a positive duration check that themselves.
 * @throws {UnitError} code `RAMPART_DURATION`
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new UnitError(`expected a duration such as 5s, got ${typeof text}`, 0);
  if (text.length === 0) throw new UnitError('expected a duration such as 250ms, 5s, 2m or 1h, got an empty string', 0);
  let total = 0;
  let i = 0;
  let lastRank = -1;
  while (i < text.length) {
    const start = i;
    if (text[i] === '-') throw new UnitError(`a duration cannot be negative: "${text}"`, i);
    const num = readDecimal(text, i);
    if (!num) {
      const what = i === 0 ? 'expected a duration such as 250ms, 5s, 2m or 1h' : 'expected a number after the unit';
      throw new UnitError(`${what} in "${text}" at offset ${i}`, i);
    }
    i = num.end;
    let unitEnd = i;
    while (unitEnd < text.length && /[a-zµ]/i.test(text[unitEnd] as string)) unitEnd++;
    const unit = text.slice(i, unitEnd);
    if (unit === '') {
      if (/\s/.test(text[i] ?? '')) {
        throw new UnitError(`no spaces inside a duration: write "${text.replace(/\s+/g, '')}"`, i);
      }
      if (i === text.length && start === 0) {
        throw new UnitError(`"${text}" has no unit: write ${num.digits}s or ${num.digits}ms (units: ms, s, m, h)`, i);
      }
      throw new UnitError(`missing unit after ${num.digits} in "${text}" at offset ${i} (units: ms, s, m, h)`, i);
    }
    const rank = DURATION_UNITS.findIndex(([u]) => u === unit);
    const entry = DURATION_UNITS[rank];
    if (!entry) {
      throw new UnitError(`unknown duration unit "${unit}" in "${text}" (units: ms, s, m, h)`, i);
    }
    if (rank <= lastRank) {
      throw new UnitError(`units of "${text}" must go from largest to smallest, each once (e.g. 1h30m, 1m30s)`, i);
    }
    lastRank = rank;
    // Shift the decimal text by 3 first, so 1.1s is exactly 1100 (not 1100.0000000000002).
    total += entry[1] === 1 ? Number(num.digits) : scaleDecimal(num.digits, 3) * (entry[1] / 1000);
    i = unitEnd;
  }
  if (!Number.isFinite(total)) throw new UnitError(`duration "${text}" is too large`, 0);
  return total;
}

/**
 * Formats milliseconds the way {@link parseDuration} reads them: `250ms`, `1.5s`, `1m30s`, `1h2m3s`.
 * For whole milliseconds ≥ 0, `parseDuration(formatDuration(ms)) === ms`. Fractions of a
 * millisecond are rounded to 3 decimals.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 1000) return `${roundTo(ms, 3)}ms`;
  let rest = Math.round(ms * 1000) / 1000;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const sub = roundTo(rest - s * 1000, 3);
  let out = '';
  if (h > 0) out += `${h}h`;
  if (m > 0) out += `${m}m`;
  if (s > 0) {
    if (sub === 0) out += `${s}s`;
    else if (Number.isInteger(sub)) out += `${s}.${String(sub).padStart(3, '0').replace(/0+$/, '')}s`;
    else out += `${s}s${sub}ms`;
  } else if (sub > 0) {
    out += `${sub}ms`;
  }
  return out === '' ? '0ms' : out;
}

function roundTo(n: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(n * f) / f;
}

/**
 * Parses a fraction in [0, 1]: a number (`0.01`) or a string, either a plain number (`"0.01"`) or a
 * percentage (`"1%"` → 0.01, `"99.9%"` → 0.999).
 * @throws {UnitError} code `RAMPART_SEMANTIC` when it does not parse or is outside [0, 1]
 */
export function parseFraction(v: string | number): number {
  let value: number;
  if (typeof v === 'number') {
    value = v;
  } else if (typeof v === 'string') {
    const text = v.trim();
    const pct = text.endsWith('%');
    const body = pct ? text.slice(0, -1).trimEnd() : text;
    const num = readDecimal(body, 0);
    if (!num || num.end !== body.length) {
      throw new UnitError(`expected a fraction such as 0.05 or 5%, got "${v}"`, 0, ERROR_CODES.SEMANTIC);
    }
    value = scaleDecimal(num.digits, pct ? -2 : 0);
  } else {
    throw new UnitError(`expected a fraction such as 0.05 or 5%, got ${typeof v}`, 0, ERROR_CODES.SEMANTIC);
  }
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new UnitError(`a fraction must be between 0 and 1 (or 0% and 100%), got ${String(v)}`, 0, ERROR_CODES.SEMANTIC);
  }
  return value;
}

/** Bytes per size unit. SI units are powers of 1000, IEC units (`KiB`…) powers of 1024. Case-insensitive. */
const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['b', 1],
  ['kb', 1e3],
  ['mb', 1e6],
  ['gb', 1e9],
  ['tb', 1e12],
  ['kib', 2 ** 10],
  ['mib', 2 ** 20],
  ['gib', 2 ** 30],
  ['tib', 2 ** 40],
]);

/**
 * Parses a size into whole bytes: a bare number is bytes (`512`), or a number with a unit, with or
 * without one space between: `B`, `KB`/`MB`/`GB`/`TB` (powers of 1000), `KiB`/`MiB`/`GiB`/`TiB`
 * (powers of 1024); units are case-insensitive. Fractional results are rounded to the nearest byte.
 * @throws {UnitError} code `RAMPART_SEMANTIC`
 */
export function parseSize(text: string): number {
  if (typeof text !== 'string' || text.length === 0) {
    throw new UnitError('expected a size such as 512, 64KB or 10MiB', 0, ERROR_CODES.SEMANTIC);
  }
  const num = readDecimal(text, 0);
  if (!num) throw new UnitError(`expected a size such as 512, 64KB or 10MiB, got "${text}"`, 0, ERROR_CODES.SEMANTIC);
  let i = num.end;
  if (text[i] === ' ') i++;
  const unit = text.slice(i);
  let factor = 1;
  if (unit !== '' || i !== num.end) {
    const f = SIZE_UNITS.get(unit.toLowerCase());
    if (f === undefined) {
      throw new UnitError(`unknown size unit "${unit}" in "${text}" (units: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB)`, i, ERROR_CODES.SEMANTIC);
    }
    factor = f;
  }
  const bytes = Math.round(scaleDecimal(num.digits, 0) * factor);
  if (!Number.isSafeInteger(bytes)) throw new UnitError(`size "${text}" is too large`, 0, ERROR_CODES.SEMANTIC);
  return bytes;
}
