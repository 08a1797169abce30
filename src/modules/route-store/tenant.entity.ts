import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'tenants' })
@Unique('uq_tenants_name', ['name'])
export class TenantEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id: number;

  @Column({ type: 'varchar', length: 128 })
  name: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  // Write-time safety interlock (migration LastActiveInterlock): when true, no change may leave one
  // of the tenant's environments with no active version unless it is forced with a reason.
  @Column({ name: 'protect_last_active', type: 'boolean', default: false })
  protectLastActive: boolean;

  // The mass-deactivation breaker (migration MassDeactivationBreaker): all null when it is off.
  @Column({ name: 'mass_deactivation_percent', type: 'smallint', nullable: true })
  massDeactivationPercent: number | null;

  @Column({ name: 'mass_deactivation_window_minutes', type: 'smallint', nullable: true })
  massDeactivationWindowMinutes: number | null;

  @Column({ name: 'mass_deactivation_min_count', type: 'smallint', nullable: true })
  massDeactivationMinCount: number | null;

  @Column({ name: 'safety_updated_at', type: 'timestamptz', nullable: true })
  safetyUpdatedAt: Date | null;

  @Column({ name: 'safety_updated_by', type: 'varchar', nullable: true })
  safetyUpdatedBy: string | null;

  @Column({ name: 'safety_updated_by_key_id', type: 'varchar', nullable: true })
  safetyUpdatedByKeyId: string | null;
}
