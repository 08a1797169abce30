import { MigrationInterface, QueryRunner } from "typeorm";

// Four-eyes for scheduled changesets (docs/design.md "Scheduled changesets"): how many approvals by
// other keys a schedule needs before its time, and who gave them. Generated from
// ScheduledChangesetEntity; TypeORM's spurious outbox_events.headers default diff was removed by hand.

export class ScheduleApprovals1796325386659 implements MigrationInterface {
    name = 'ScheduleApprovals1796325386659'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets"
            ADD "approvals_required" smallint NOT NULL DEFAULT '0'
        `);
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets"
            ADD "approvals" jsonb NOT NULL DEFAULT '[]'::jsonb
        `);
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets"
            ADD CONSTRAINT "chk_scheduled_changesets_approvals_required" CHECK (
                    "approvals_required" BETWEEN 0 AND 3
                )
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets" DROP CONSTRAINT "chk_scheduled_changesets_approvals_required"
        `);
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets" DROP COLUMN "approvals"
        `);
        await queryRunner.query(`
            ALTER TABLE "scheduled_changesets" DROP COLUMN "approvals_required"
        `);
    }

}
