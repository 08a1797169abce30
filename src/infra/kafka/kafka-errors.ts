// Kafka errors that no amount of waiting fixes: wrong credentials or missing permissions. Anything
// else (broker down or still loading, topic not created yet, leader election, coordinator moving)
// is transient, and the caller waits and retries.
const FATAL_TYPES = new Set([
  'SASL_AUTHENTICATION_FAILED',
  'UNSUPPORTED_SASL_MECHANISM',
  'ILLEGAL_SASL_STATE',
  'TOPIC_AUTHORIZATION_FAILED',
  'GROUP_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'INVALID_TOPIC_EXCEPTION',
  'INVALID_GROUP_ID',
]);
const FATAL_NAMES = new Set(['KafkaJSSASLAuthenticationError']);

interface KafkaLikeError {
  name?: unknown;
  type?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

export function isFatalKafkaError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as KafkaLikeError;
  if (typeof e.name === 'string' && FATAL_NAMES.has(e.name)) return true;
  if (typeof e.type === 'string' && FATAL_TYPES.has(e.type)) return true;
  const nested = [e.cause, e.originalError, ...(Array.isArray(e.errors) ? e.errors : [])];
  return nested.some((inner) => isFatalKafkaError(inner, depth + 1));
}
