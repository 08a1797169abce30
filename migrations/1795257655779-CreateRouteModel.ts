import { MigrationInterface, QueryRunner } from "typeorm";

export class CreateRouteModel1795257655779 implements MigrationInterface {
    name = 'CreateRouteModel1795257655779'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "tenants" (
                "id" SERIAL NOT NULL,
                "name" character varying(128) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_tenants_name" UNIQUE ("name"),
                CONSTRAINT "PK_53be67a04681c66b87ee27c9321" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE TABLE "services" (
                "id" SERIAL NOT NULL,
                "tenant_id" integer NOT NULL,
                "name" character varying(128) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_services_tenant_name" UNIQUE ("tenant_id", "name"),
                CONSTRAINT "PK_ba2d347a3168a296416c6c5ccb2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_services_tenant_id" ON "services" ("tenant_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "environments" (
                "id" SERIAL NOT NULL,
                "service_id" integer NOT NULL,
                "name" character varying(128) NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_environments_service_name" UNIQUE ("service_id", "name"),
                CONSTRAINT "PK_ec32d12469ec3c2f2f20c4f5e71" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_environments_service_id" ON "environments" ("service_id")
        `);
        await queryRunner.query(`
            CREATE TABLE "endpoints" (
                "id" SERIAL NOT NULL,
                "environment_id" integer NOT NULL,
                "version" character varying(128) NOT NULL,
                "url" character varying(2048) NOT NULL,
                "is_active" boolean NOT NULL DEFAULT true,
                "revision" integer NOT NULL DEFAULT '1',
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "uq_endpoints_environment_version" UNIQUE ("environment_id", "version"),
                CONSTRAINT "PK_70835610dfa54ad5d990e02f70a" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_endpoints_environment_active" ON "endpoints" ("environment_id", "is_active")
        `);
        await queryRunner.query(`
            CREATE TABLE "outbox_events" (
                "id" BIGSERIAL NOT NULL,
                "event_id" uuid NOT NULL,
                "event_type" character varying(64) NOT NULL,
                "message_key" character varying(600) NOT NULL,
                "payload" jsonb NOT NULL,
                "headers" jsonb NOT NULL DEFAULT '{}'::jsonb,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "published_at" TIMESTAMP WITH TIME ZONE,
                "attempts" integer NOT NULL DEFAULT '0',
                "last_error" text,
                CONSTRAINT "uq_outbox_events_event_id" UNIQUE ("event_id"),
                CONSTRAINT "PK_6689a16c00d09b8089f6237f1d2" PRIMARY KEY ("id")
            )
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_published_at" ON "outbox_events" ("published_at")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_outbox_events_unpublished" ON "outbox_events" ("id")
            WHERE published_at IS NULL
        `);
        await queryRunner.query(`
            ALTER TABLE "services"
            ADD CONSTRAINT "fk_services_tenant" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "environments"
            ADD CONSTRAINT "fk_environments_service" FOREIGN KEY ("service_id") REFERENCES "services"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
        await queryRunner.query(`
            ALTER TABLE "endpoints"
            ADD CONSTRAINT "fk_endpoints_environment" FOREIGN KEY ("environment_id") REFERENCES "environments"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            ALTER TABLE "endpoints" DROP CONSTRAINT "fk_endpoints_environment"
        `);
        await queryRunner.query(`
            ALTER TABLE "environments" DROP CONSTRAINT "fk_environments_service"
        `);
        await queryRunner.query(`
            ALTER TABLE "services" DROP CONSTRAINT "fk_services_tenant"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_unpublished"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_outbox_events_published_at"
        `);
        await queryRunner.query(`
            DROP TABLE "outbox_events"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_endpoints_environment_active"
        `);
        await queryRunner.query(`
            DROP TABLE "endpoints"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_environments_service_id"
        `);
        await queryRunner.query(`
            DROP TABLE "environments"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."idx_services_tenant_id"
        `);
        await queryRunner.query(`
            DROP TABLE "services"
        `);
        await queryRunner.query(`
            DROP TABLE "tenants"
        `);
    }

}
