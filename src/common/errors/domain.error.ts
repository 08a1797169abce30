export interface ErrorDetail {
  field: string;
  problem: string;
}

// Not writable under --frozen-intrinsics; domain errors then keep their stacks.
const STACK_LIMIT_WRITABLE = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit')?.writable === true;

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
    // No stack trace: a DomainError is an answer (a 404, a 409, a 503 while overloaded), not a
    // defect, and nothing logs its stack (sendError logs one only for unexpected errors; a store
    // outage is logged by name and message). Capturing the frames at construction was the largest
    // single cost of a 404 from the negative cache (~12 % of its CPU under load, perf), and it is
    // paid most exactly when the answers come in floods: missing routes, bad keys, overload.
    // Error.stackTraceLimit is read by V8 when the Error is constructed, so it is lowered around
    // super() only, synchronously, and restored before anything else can run.
    const limit = Error.stackTraceLimit;
    if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = 0;
    super(message);
    if (STACK_LIMIT_WRITABLE) Error.stackTraceLimit = limit;
    this.name = new.target.name;
  }
}

// A DomainError that retrying can never fix (the event or request itself is refused).
export function isPermanentFailure(err: unknown): err is DomainError {
  return err instanceof DomainError && !err.transient;
}
