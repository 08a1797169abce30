import { Inject, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectConnection, MongooseModule } from '@nestjs/mongoose';
import { ConnectionStates, ConnectOptions, Connection } from 'mongoose';
import { mongoConfig } from '../../config/mongo.config';
import { ThrottledLog } from '../../common/logging/throttled-log';

const logger = new Logger('Mongo');
const RETRY_DELAY_MS = 1000;

function connectOptions(config: ConfigType<typeof mongoConfig>): ConnectOptions {
  return {
    serverSelectionTimeoutMS: config.serverSelectionTimeoutMs,
    // Fail fast while Mongo is down (HTTP 503, consumer retry) instead of queueing operations in memory.
    bufferCommands: false,
    // Mongoose builds indexes once per model and forgets a failure; AuditRepository builds them on every
    // (re)connection instead, so an app that booted while Mongo was down still gets them.
    autoIndex: false,
    autoCreate: false,
  };
}

// Boot waits for the first attempt (at most serverSelectionTimeoutMS) so the first requests find an
// open connection, but a failure is not fatal: MongoModule keeps retrying in the background.
async function awaitFirstAttempt(connection: Connection): Promise<Connection> {
  try {
    await connection.asPromise();
  } catch (err) {
    logger.warn(`MongoDB is not reachable at startup (${(err as Error).message}); starting anyway and retrying`);
  }
  return connection;
}

// One connection per process, however many feature modules import this one. Once a first connection
// has succeeded the driver reconnects by itself; mongoose does not retry a failed *initial* connection,
// which is what the retry loop below is for.
@Module({
  imports: [
    MongooseModule.forRootAsync({
      inject: [mongoConfig.KEY],
      useFactory: (config: ConfigType<typeof mongoConfig>) => ({
        uri: config.uri,
        ...connectOptions(config),
        lazyConnection: true,
        retryAttempts: 0,
        connectionFactory: awaitFirstAttempt,
      }),
    }),
  ],
})
export class MongoModule implements OnApplicationBootstrap, OnModuleDestroy {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly retryLog = new ThrottledLog(logger);

  constructor(
    @InjectConnection() private readonly connection: Connection,
    @Inject(mongoConfig.KEY) private readonly config: ConfigType<typeof mongoConfig>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.connection.readyState !== ConnectionStates.connected && this.connection.db === undefined) {
      // The startup warning (awaitFirstAttempt) was this condition's first line.
      this.retryLog.due('unreachable');
      this.retryLater(1);
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private retryLater(attempt: number): void {
    this.timer = setTimeout(() => void this.retry(attempt), RETRY_DELAY_MS);
  }

  private async retry(attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.connection.openUri(this.config.uri, connectOptions(this.config));
      logger.log(`MongoDB connection established after ${attempt} retries`);
    } catch (err) {
      this.retryLog.warn('unreachable', `MongoDB is still not reachable after ${attempt} retries: ${(err as Error).message}`);
      if (!this.stopped) this.retryLater(attempt + 1);
    }
  }
}
