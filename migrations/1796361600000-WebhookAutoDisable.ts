import { MigrationInterface, QueryRunner } from "typeorm";

// Webhooks that keep failing are disabled (docs/design.md, "Webhooks"): since when a subscription's
// attempts have failed without a success in between, and why and when it was last disabled
// (`delivery_failures` by the dispatcher, `paused` by an admin).
export class WebhookAutoDisable1796361600000 implements MigrationInterface {
    name = 'WebhookAutoDisable1796361600000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ADD "failing_since" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ADD "disabled_reason" character varying(32)`);
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" ADD "disabled_at" TIMESTAMP WITH TIME ZONE`);
        // A webhook paused before this release says so.
        await queryRunner.query(`UPDATE "webhook_subscriptions" SET "disabled_reason" = 'paused', "disabled_at" = "updated_at" WHERE NOT "enabled"`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" DROP COLUMN "disabled_at"`);
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" DROP COLUMN "disabled_reason"`);
        await queryRunner.query(`ALTER TABLE "webhook_subscriptions" DROP COLUMN "failing_since"`);
    }
}
