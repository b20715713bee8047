/** The one error type of the service provisioning; `code` is stable for scripts and tests. */

/** Stable codes of {@link ServiceError}. */
export type ServiceErrorCode =
  | 'TOOL_MISSING'
  | 'INSTALL_FAILED'
  | 'FETCH_FAILED'
  | 'START_FAILED'
  | 'NOT_READY';

/** A service could not be provided; the message says what to do about it. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
  }
}
