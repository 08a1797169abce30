import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { EnvironmentEntity } from './environment.entity';

@Entity({ name: 'endpoints' })
@Unique('uq_endpoints_environment_version', ['environmentId', 'version'])
@Index('idx_endpoints_environment_active', ['environmentId', 'isActive'])
export class EndpointEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ name: 'environment_id', type: 'integer' })
  environmentId: number;

  @ManyToOne(() => EnvironmentEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'environment_id', foreignKeyConstraintName: 'fk_endpoints_environment' })
  environment?: EnvironmentEntity;

  @Column({ type: 'varchar', length: 128 })
  version: string;

  @Column({ type: 'varchar', length: 2048 })
  url: string;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  // Bumped by every change of this route, under the row lock, so it orders changes in commit order.
  @Column({ type: 'integer', default: 1 })
  revision: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
