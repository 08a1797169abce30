import { Logger } from '@nestjs/common';
import { logLevel, LogEntry } from 'kafkajs';
import { ThrottledLog } from '../../common/logging/throttled-log';

const logger = new Logger('Kafka');
const repeats = new ThrottledLog(logger);

// The relay bounds the idempotent producer's retries on purpose (it retries whole batches itself,
// see OutboxPublisher), so KafkaJS's startup warning about it is expected and logged at debug.
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer may invalidate EoS guarantees'];

// KafkaJS reports every reconnect attempt at ERROR; while a broker is down that is one line per
// attempt. Repeats of the same message are logged at most every 10 s, as warnings.
export function kafkaLogCreator() {
  return ({ level, log }: LogEntry) => {
    const { message, ...extra } = log;
    if (level <= logLevel.WARN && !repeats.due(`${level}:${message}`)) return;
    const line = { message: `kafkajs: ${message}`, broker: extra.broker, error: extra.error };
    if (EXPECTED_WARNINGS.includes(message)) logger.debug(line);
    else if (level <= logLevel.WARN) logger.warn(line);
    else if (level === logLevel.INFO) logger.debug(line);
  };
}
