import { isFatalKafkaError } from './kafka-errors';

describe(isFatalKafkaError.name, () => {
  it.each([
    ['bad credentials', { name: 'KafkaJSSASLAuthenticationError', message: 'SASL PLAIN authentication failed' }],
    ['no permission on the topic', { name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' }],
    ['no permission on the group, wrapped by retries', { name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'GROUP_AUTHORIZATION_FAILED' } }],
    ['an invalid topic name inside an aggregate', { name: 'KafkaJSAggregateError', errors: [{ type: 'INVALID_TOPIC_EXCEPTION' }] }],
  ])('should stop on %s', (_, err) => {
    expect(isFatalKafkaError(err)).toBe(true);
  });

  it.each([
    ['a broker that is down', { name: 'KafkaJSConnectionError', message: 'connect ECONNREFUSED 127.0.0.1:9092' }],
    ['a topic that does not exist yet', { name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION' }],
    ['a leader election', { name: 'KafkaJSNumberOfRetriesExceeded', cause: { type: 'LEADER_NOT_AVAILABLE' } }],
    ['a coordinator that is loading', { type: 'COORDINATOR_LOAD_IN_PROGRESS' }],
    ['something that is not an error object', 'boom'],
  ])('should wait on %s', (_, err) => {
    expect(isFatalKafkaError(err)).toBe(false);
  });
});
