import { MigrationInterface, QueryRunner } from "typeorm";

// The trigger function as this migration creates it (a later one replaces it and restores it on down).
export const LAST_ACTIVE_GUARD_FUNCTION = `
            FUNCTION "tm_guard_last_active"() RETURNS trigger
            LANGUAGE plpgsql
            AS $fn$
            DECLARE
                v_protected boolean;
                v_tenant varchar;
                v_service varchar;
                v_env varchar;
            BEGIN
                SELECT t.protect_last_active, t.name, s.name, env.name
                INTO v_protected, v_tenant, v_service, v_env
                FROM environments env
                JOIN services s ON s.id = env.service_id
                JOIN tenants t ON t.id = s.tenant_id
                WHERE env.id = NEW.environment_id;
                IF NOT coalesce(v_protected, false) OR coalesce(current_setting('tm.force_reason', true), '') <> '' THEN
                    RETURN NULL;
                END IF;
                PERFORM 1 FROM environments env WHERE env.id = NEW.environment_id FOR NO KEY UPDATE;
                IF EXISTS (SELECT 1 FROM endpoints e WHERE e.environment_id = NEW.environment_id AND e.is_active) THEN
                    RETURN NULL;
                END IF;
                RAISE EXCEPTION 'deactivating %/%/%/% would leave %/%/% with no active version',
                        v_tenant, v_service, v_env, NEW.version, v_tenant, v_service, v_env
                    USING ERRCODE = 'TM409',
                          DETAIL = json_build_object('tenant', v_tenant, 'service', v_service, 'env', v_env, 'version', NEW.version)::text;
            END
            $fn$
`;

// Write-time safety interlock (docs/design.md, "Write-time safety interlocks"): a tenant that opts in
// (`tenants.protect_last_active`, PUT /api/v1/tenants/{tenant}/safety) cannot have a change leave one
// of its environments with no active version, unless the request says `force` with a `reason`.
//
// Enforced by PostgreSQL, so every path that deactivates is covered (deactivate, a rollback to an
// inactive revision, changesets, scheduled changesets) without a second copy of the rule in the
// write function: a constraint trigger on the deactivations of `endpoints`, deferred to the end of
// the transaction, so a changeset that activates v2 and deactivates v1 is judged by its outcome and
// not by the order its changes were applied in. For a protected tenant the check locks the
// environment row first (FOR NO KEY UPDATE: creates in the environment, which take FOR KEY SHARE
// through the foreign key, do not wait for it), which makes it hold under concurrency: of two
// transactions deactivating an environment's last two active versions, the second waits for the
// first's commit and its check (a new statement, so a new snapshot under READ COMMITTED) then sees
// it and refuses. Tenants that did not opt in pay one indexed lookup per deactivation, nothing per
// URL change.
//
// The override is a transaction-local setting, `tm.force_reason`, set by the service in the write's
// own statement (or at the start of a changeset's transaction); the reason also travels in the event.
// The refusal is SQLSTATE TM409 with the route as JSON in its DETAIL, which the service answers with
// 409 ROUTE.LAST_ACTIVE_VERSION. A scheduled changeset's `force_reason` is kept with it.
export class LastActiveInterlock1796400000000 implements MigrationInterface {
    name = 'LastActiveInterlock1796400000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tenants" ADD "protect_last_active" boolean NOT NULL DEFAULT false`);
        await queryRunner.query(`ALTER TABLE "tenants" ADD "safety_updated_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "tenants" ADD "safety_updated_by" character varying`);
        await queryRunner.query(`ALTER TABLE "tenants" ADD "safety_updated_by_key_id" character varying`);
        await queryRunner.query(`ALTER TABLE "scheduled_changesets" ADD "force_reason" character varying(500)`);
        await queryRunner.query(`CREATE ${LAST_ACTIVE_GUARD_FUNCTION}`);
        await queryRunner.query(`
            CREATE CONSTRAINT TRIGGER "tm_last_active_guard"
            AFTER UPDATE OF "is_active" ON "endpoints"
            DEFERRABLE INITIALLY DEFERRED
            FOR EACH ROW
            WHEN (OLD.is_active AND NOT NEW.is_active)
            EXECUTE FUNCTION "tm_guard_last_active"()
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "tm_last_active_guard" ON "endpoints"`);
        await queryRunner.query(`DROP FUNCTION "tm_guard_last_active"()`);
        await queryRunner.query(`ALTER TABLE "scheduled_changesets" DROP COLUMN "force_reason"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "safety_updated_by_key_id"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "safety_updated_by"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "safety_updated_at"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "protect_last_active"`);
    }
}
