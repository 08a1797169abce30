import { MigrationInterface, QueryRunner } from "typeorm";

// API keys (docs/design.md, "Authentication"). Only a hash of each key's secret is stored: SHA-256,
// not bcrypt/scrypt, because the secret is 256 random bits. A slow hash protects guessable
// passwords from offline guessing; against a 256-bit secret guessing is hopeless either way, and a
// fast hash lets every request be verified in about a microsecond.
// tenant NULL: a platform key (every tenant). No foreign key to tenants: a tenant exists only once
// it has a route, and a key may be issued for a tenant before its first write.
export class CreateApiKeys1796225385137 implements MigrationInterface {
    name = 'CreateApiKeys1796225385137'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "api_keys" (
                "id" uuid NOT NULL,
                "name" character varying(128) NOT NULL,
                "tenant" character varying(128),
                "role" text NOT NULL,
                "secret_hash" bytea NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "created_by" character varying(128) NOT NULL,
                "last_used_at" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                CONSTRAINT "chk_api_keys_role" CHECK ("role" IN ('reader', 'writer', 'admin')),
                CONSTRAINT "chk_api_keys_name" CHECK (char_length("name") >= 1),
                CONSTRAINT "chk_api_keys_tenant" CHECK ("tenant" IS NULL OR char_length("tenant") >= 1),
                CONSTRAINT "chk_api_keys_secret_hash" CHECK (octet_length("secret_hash") = 32),
                CONSTRAINT "PK_api_keys_id" PRIMARY KEY ("id")
            )
        `);
        // Names are unique within a scope (a tenant, or the platform), revoked keys included, so
        // changed_by in the audit trail names one key.
        await queryRunner.query(`
            CREATE UNIQUE INDEX "uq_api_keys_scope_name" ON "api_keys" (COALESCE("tenant", ''), "name")
        `);
        await queryRunner.query(`
            CREATE INDEX "idx_api_keys_tenant_created" ON "api_keys" ("tenant", "created_at", "id")
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP INDEX "public"."idx_api_keys_tenant_created"
        `);
        await queryRunner.query(`
            DROP INDEX "public"."uq_api_keys_scope_name"
        `);
        await queryRunner.query(`
            DROP TABLE "api_keys"
        `);
    }

}
