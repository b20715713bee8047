/**
 * Typed errors with stable codes. A user error (bad scenario, bad flag) carries everything needed to
 * print one clear line per problem and never a stack trace; an engine error is a bug or an
 * environment failure (exit 3). Codes are stable: scripts and docs may rely on them.
 */

/** A position in the scenario source, for errors raised after validation (1-based line and column). */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** Where in a source file a problem is. line and col are 1-based. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** JSON pointer into the scenario document, e.g. `/load/phases/0/rampTo`. */
  readonly pointer?: string;
}

/** One problem found in a scenario. A validation run collects all of them. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  readonly loc: Location;
  /** What to do, e.g. "did you mean `rampTo`?". */
  readonly hint?: string;
}

export const ERROR_CODES = {
  /** The YAML text cannot be parsed. */
  YAML_SYNTAX: 'RAMPART_YAML_SYNTAX',
  /** Anchors/aliases expand beyond the safe limit. */
  YAML_ALIAS_BOMB: 'RAMPART_YAML_ALIAS_BOMB',
  /** Mappings and lists nested deeper than rampart reads (MAX_NESTING). */
  YAML_NESTING: 'RAMPART_YAML_NESTING',
  /** A YAML tag rampart does not accept (`!!js/function`, custom tags). */
  YAML_TAG: 'RAMPART_YAML_TAG',
  /** A key that could reach an object prototype (`__proto__`, `constructor`, `prototype`). */
  UNSAFE_KEY: 'RAMPART_UNSAFE_KEY',
  /** The file is larger than rampart reads. */
  FILE_TOO_LARGE: 'RAMPART_FILE_TOO_LARGE',
  /** `${NAME}` without a default and NAME is not set. */
  ENV_UNSET: 'RAMPART_ENV_UNSET',
  /** The document does not match the schema. */
  SCHEMA: 'RAMPART_SCHEMA',
  /** A key that the schema does not know. */
  UNKNOWN_KEY: 'RAMPART_UNKNOWN_KEY',
  /** A duration like `5x` or `0s` where a positive one is needed. */
  DURATION: 'RAMPART_DURATION',
  /** A threshold expression that does not parse, or a metric/tag no scenario part can produce. */
  THRESHOLD: 'RAMPART_THRESHOLD',
  /** A `{{ … }}` template that does not parse, or names an unknown variable or function. */
  TEMPLATE: 'RAMPART_TEMPLATE',
  /** A capture used before any step sets it. */
  CAPTURE_ORDER: 'RAMPART_CAPTURE_ORDER',
  /** A data file missing, unreadable, or without a header row. */
  DATA_FILE: 'RAMPART_DATA_FILE',
  /** Any other semantic rule (rampTo without rate, zero weights, …). */
  SEMANTIC: 'RAMPART_SEMANTIC',
  /** The scenario file does not exist or cannot be read. */
  FILE_READ: 'RAMPART_FILE_READ',
  /** Bad command-line use. */
  USAGE: 'RAMPART_USAGE',
  /** A report cannot be written. */
  REPORT_WRITE: 'RAMPART_REPORT_WRITE',
  /** The engine failed (a bug or the environment). */
  ENGINE: 'RAMPART_ENGINE',
  /** Prometheus thresholds could not be evaluated: Prometheus unreachable, or a query it rejected. */
  PROMETHEUS: 'RAMPART_PROMETHEUS',
  /** A file given to `rampart import` is malformed, too large, or holds nothing to import. */
  IMPORT: 'RAMPART_IMPORT',
  /** A TLS file (`http.tls`) missing, unreadable or not what it should be, a key that does not match its certificate, a wrong passphrase. */
  TLS_FILE: 'RAMPART_TLS_FILE',
  /** A proxy URL (`http.proxy`, HTTP_PROXY, HTTPS_PROXY) or an `http.hosts` address that cannot be used. */
  NETWORK: 'RAMPART_NETWORK',
} as const;

export type ErrorCode = (typeof ERROR_CODES)[keyof typeof ERROR_CODES];

/** Base class: every error rampart raises on purpose. */
export class RampartError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RampartError';
    this.code = code;
  }
}

/** The scenario (or a file it refers to) is invalid: exit 2, nothing was sent. */
export class ScenarioError extends RampartError {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    const first = problems[0];
    super(first?.code ?? ERROR_CODES.SCHEMA, first ? formatProblem(first) : 'invalid scenario');
    this.name = 'ScenarioError';
    this.problems = problems;
  }
}

/** Bad command-line use: exit 2. */
export class UsageError extends RampartError {
  constructor(message: string) {
    super(ERROR_CODES.USAGE, message);
    this.name = 'UsageError';
  }
}

/** The engine could not run or could not write its results: exit 3. */
export class EngineError extends RampartError {
  constructor(message: string, options?: { cause?: unknown; code?: ErrorCode }) {
    super(options?.code ?? ERROR_CODES.ENGINE, message, options);
    this.name = 'EngineError';
  }
}

/** `file:line:col: message (at /pointer)` and the hint on its own line. */
export function formatProblem(p: Problem): string {
  const where = `${p.loc.file}:${p.loc.line}:${p.loc.col}`;
  const pointer = p.loc.pointer !== undefined && p.loc.pointer !== '' ? ` (at ${p.loc.pointer})` : '';
  const hint = p.hint ? `\n  hint: ${p.hint}` : '';
  return `${where}: ${p.message}${pointer} [${p.code}]${hint}`;
}
