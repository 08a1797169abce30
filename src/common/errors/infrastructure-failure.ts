// Connection-level failures of PostgreSQL (pg / node errors and SQLSTATE classes 08, 57P) and of
// MongoDB (driver / mongoose error classes; mongoose's own not-connected messages) mean the store is
// unavailable, not that the request was wrong or the code broken.
const MONGO_UNAVAILABLE =
  /^(MongoServerSelectionError|MongooseServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoNotConnectedError|MongoTopologyClosedError|MongoPoolClearedError)$/;

// Timeouts and connection errors of any backing store: what circuit breakers count and what the
// HTTP layer answers with 503. Never a validation error, a 404 or a constraint violation.
// Every KafkaJS failure of a send is the broker's side (down, moving leaders, timing out).
const KAFKA_UNAVAILABLE =
  /^KafkaJS(ConnectionError|ConnectionClosedError|RequestTimeoutError|NumberOfRetriesExceeded|BrokerNotFound|ProtocolError|TimeoutError)$/;

export function isInfrastructureFailure(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const err = error as { code?: unknown; message?: string; name?: unknown };
  const code = typeof err.code === 'string' ? err.code : '';
  return (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EPIPE|08|57P0|57014)/.test(code) ||
    KAFKA_UNAVAILABLE.test(typeof err.name === 'string' ? err.name : '') ||
    MONGO_UNAVAILABLE.test(typeof err.name === 'string' ? err.name : '') ||
    /timeout exceeded when trying to connect|Command timed out|Connection is closed|Stream isn't writeable|enableOfflineQueue|Connection terminated|Driver not Connected|DataSource is not initialized|buffering timed out|before initial connection is complete|Topology is closed/i.test(
      err.message ?? '',
    )
  );
}
