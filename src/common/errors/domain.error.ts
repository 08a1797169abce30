export interface ErrorDetail {
  field: string;
  problem: string;
}

// Services throw these, never Nest HTTP exceptions: the same services run under Kafka handlers.
// The stable `code` (AREA.REASON) is what crosses process boundaries; the HTTP filter maps it.
export abstract class DomainError extends Error {
  abstract readonly code: string;
  // True for "not now" errors (a circuit open, overload): the operation may succeed later, so
  // consumers retry instead of dead-lettering the event.
  readonly transient: boolean = false;

  constructor(
    message: string,
    readonly details?: ErrorDetail[],
    // Extra top-level fields for the HTTP body (e.g. the route a ROUTE.NOT_FOUND is about).
    readonly context?: Record<string, string | number | null>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

// A DomainError that retrying can never fix (the event or request itself is refused).
export function isPermanentFailure(err: unknown): err is DomainError {
  return err instanceof DomainError && !err.transient;
}
