import { Module } from '@nestjs/common';
import { OutboxWriterModule } from '../outbox';
import { RouteCache } from './route-cache';
import { GuardedQueries } from './guarded-queries';
import { GroupCommit } from './group-commit';
import { RouteHistoryRepository } from './route-history.repository';
import { RoutesRepository } from './routes.repository';
import { ScheduledChangesetsRepository } from './scheduled-changesets.repository';
import { TenantSafetyRepository } from './tenant-safety.repository';

// Persistence shared by the API (write and read paths) and the consumer process: the PostgreSQL
// repository and the Redis route cache. No controllers, so either process can import it.
@Module({
  imports: [OutboxWriterModule],
  providers: [
    GuardedQueries,
    GroupCommit,
    RoutesRepository,
    RouteHistoryRepository,
    ScheduledChangesetsRepository,
    TenantSafetyRepository,
    RouteCache,
  ],
  exports: [GuardedQueries, GroupCommit, RoutesRepository, RouteHistoryRepository, ScheduledChangesetsRepository, TenantSafetyRepository, RouteCache],
})
export class RouteStoreModule {}
