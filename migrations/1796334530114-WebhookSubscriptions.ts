import { MigrationInterface, QueryRunner } from "typeorm";

// Webhooks (docs/design.md, "Webhooks"): a tenant's subscriptions, and one delivery row per event
// and subscription, which is both the dispatcher's work queue (the partial index on pending rows
// finds what is due) and the delivery log. Deliveries go with their subscription.
export class WebhookSubscriptions1796334530114 implements MigrationInterface {
    name = 'WebhookSubscriptions1796334530114'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "webhook_subscriptions" (
                "id" uuid NOT NULL,
                "tenant" character varying(128) NOT NULL,
                "url" character varying(2048) NOT NULL,
                "description" character varying(500),
                "services" character varying array NOT NULL DEFAULT '{}',
                "envs" character varying array NOT NULL DEFAULT '{}',
                "actions" character varying array NOT NULL DEFAULT '{}',
                "secret" character varying(64) NOT NULL,
                "previous_secret" character varying(64),
                "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE,
                "enabled" boolean NOT NULL DEFAULT true,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" character varying NOT NULL,
                "created_by_key_id" character varying NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "pk_webhook_subscriptions" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_webhook_subscriptions_tenant" ON "webhook_subscriptions" ("tenant", "created_at")
        `);
        await queryRunner.query(`
            CREATE TABLE "webhook_deliveries" (
                "id" uuid NOT NULL,
                "subscription_id" uuid NOT NULL,
                "tenant" character varying(128) NOT NULL,
                "event_id" character varying(64) NOT NULL,
                "event_type" character varying(128) NOT NULL,
                "body" text NOT NULL,
                "status" character varying(16) NOT NULL DEFAULT 'pending',
                "attempts" integer NOT NULL DEFAULT '0',
                "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "last_attempt_at" TIMESTAMP WITH TIME ZONE,
                "delivered_at" TIMESTAMP WITH TIME ZONE,
                "last_status_code" integer,
                "last_error" character varying(500),
                "last_duration_ms" integer,
                CONSTRAINT "uq_webhook_deliveries_event" UNIQUE ("subscription_id", "event_id"),
                CONSTRAINT "chk_webhook_deliveries_status" CHECK ("status" IN ('pending', 'delivered', 'failed')),
                CONSTRAINT "pk_webhook_deliveries" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_webhook_deliveries_subscription" ON "webhook_deliveries" ("subscription_id", "created_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_webhook_deliveries_due" ON "webhook_deliveries" ("next_attempt_at")
            WHERE "status" = 'pending'
        `);
        await queryRunner.query(`
            ALTER TABLE "webhook_deliveries"
            ADD CONSTRAINT "fk_webhook_deliveries_subscription" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "fk_webhook_deliveries_subscription"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_webhook_deliveries_due"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_webhook_deliveries_subscription"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_deliveries"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_webhook_subscriptions_tenant"
        `);
        await queryRunner.query(`
            DROP TABLE "webhook_subscriptions"
        `);
    }
}
