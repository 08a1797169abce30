import { MigrationInterface, QueryRunner } from "typeorm";

// Scheduled changesets (docs/design.md "Scheduled changesets"): a changeset accepted now and applied
// at scheduled_at by the API's scheduler, which locks the due row (FOR UPDATE SKIP LOCKED), applies
// its changes and records the outcome in one transaction. Generated from ScheduledChangesetEntity;
// TypeORM's spurious outbox_events.headers default diff was removed by hand.

export class ScheduledChangesets1796324201339 implements MigrationInterface {
    name = 'ScheduledChangesets1796324201339'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "scheduled_changesets" (
                "id" uuid NOT NULL,
                "tenant" character varying(128) NOT NULL,
                "changes" json NOT NULL,
                "scheduled_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'pending',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" character varying NOT NULL,
                "created_by_key_id" character varying NOT NULL,
                "correlation_id" character varying,
                "finished_at" TIMESTAMP WITH TIME ZONE,
                "outcome" json,
                "cancelled_by" character varying,
                CONSTRAINT "chk_scheduled_changesets_status" CHECK (
                    "status" IN ('pending', 'applied', 'failed', 'cancelled')
                ),
                CONSTRAINT "pk_scheduled_changesets" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_scheduled_changesets_tenant" ON "scheduled_changesets" ("tenant", "scheduled_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_scheduled_changesets_due" ON "scheduled_changesets" ("scheduled_at")
            WHERE "status" = 'pending'
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_scheduled_changesets_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_scheduled_changesets_tenant"
        `);
        await queryRunner.query(`
            DROP TABLE "scheduled_changesets"
        `);
    }

}
