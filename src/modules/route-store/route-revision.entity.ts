import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { EndpointEntity } from './endpoint.entity';

// One row per revision of a route, written by tm_apply_route_change in the change's own transaction
// (migration RouteRevisionHistory), so the history never disagrees with the route. `action` is the
// event's action, or "baseline" for the state a route had when history began. The oldest rows of a
// route are pruned past ROUTE_HISTORY_LIMIT revisions (RouteHistoryPruner).
// Deleting a route's endpoint row deletes its history (migration RouteRevisionHistory says why).
@Entity({ name: 'route_revisions' })
export class RouteRevisionEntity {
  @PrimaryColumn({ name: 'endpoint_id', type: 'integer', primaryKeyConstraintName: 'pk_route_revisions' })
  endpointId: number;

  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'pk_route_revisions' })
  revision: number;

  @ManyToOne(() => EndpointEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'endpoint_id', foreignKeyConstraintName: 'fk_route_revisions_endpoint' })
  endpoint?: EndpointEntity;

  @Column({ type: 'varchar', length: 16 })
  action: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ name: 'is_active', type: 'boolean' })
  isActive: boolean;

  @Column({ name: 'changed_at', type: 'timestamptz', default: () => 'now()' })
  changedAt: Date;

  @Column({ name: 'changed_by', type: 'varchar', nullable: true })
  changedBy: string | null;

  @Column({ name: 'changed_by_key_id', type: 'varchar', nullable: true })
  changedByKeyId: string | null;

  @Column({ name: 'correlation_id', type: 'varchar', nullable: true })
  correlationId: string | null;

  @Column({ name: 'event_id', type: 'uuid', nullable: true })
  eventId: string | null;
}
