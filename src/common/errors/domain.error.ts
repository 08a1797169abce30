export interface ErrorDetail {
  field: string;
  problem: string;
}

// Services throw these, never Nest HTTP exceptions: the same services run under Kafka handlers.
// The stable `code` (AREA.REASON) is what crosses process boundaries; the HTTP filter maps it.
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details?: ErrorDetail[],
    // Extra top-level fields for the HTTP body (e.g. the route a ROUTE.NOT_FOUND is about).
    readonly context?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
