import { MigrationInterface, QueryRunner } from "typeorm";
import { LAST_ACTIVE_GUARD_FUNCTION } from "./1796400000000-LastActiveInterlock";

// The mass-deactivation breaker (docs/design.md, "Write-time safety interlocks"): a tenant may set a
// limit on how much of it may be switched off at once. When more than `mass_deactivation_percent` of
// its versions, and at least `mass_deactivation_min_count` of them, have been deactivated within
// `mass_deactivation_window_minutes` (counted at the end of the transaction, this change included),
// the change is refused (SQLSTATE TM429, the figures as JSON in DETAIL; the service answers 409
// ROUTE.MASS_DEACTIVATION) unless it is a scheduled changeset approved by other keys (four-eyes): the
// scheduler marks its transaction with the transaction-local `tm.approved_by`. `force` does not
// override it: one key alone cannot take a tenant down.
//
// "Deactivated within the window" is an inactive version whose last change is in the window (only a
// deactivation leaves a version inactive), so the count is one scan of the tenant's endpoints, no
// history. The tenant row is locked first (FOR NO KEY UPDATE; route writes take FOR KEY SHARE through
// the foreign keys and do not wait), so concurrent deactivations are counted one after the other.
// Same trigger as the last-active interlock; its function gets the second check.
export class MassDeactivationBreaker1796410000000 implements MigrationInterface {
    name = 'MassDeactivationBreaker1796410000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tenants" ADD "mass_deactivation_percent" smallint`);
        await queryRunner.query(`ALTER TABLE "tenants" ADD "mass_deactivation_window_minutes" smallint`);
        await queryRunner.query(`ALTER TABLE "tenants" ADD "mass_deactivation_min_count" smallint`);
        await queryRunner.query(`
            CREATE OR REPLACE FUNCTION "tm_guard_last_active"() RETURNS trigger
            LANGUAGE plpgsql
            AS $fn$
            DECLARE
                v_tenant_id integer;
                v_protected boolean;
                v_percent smallint;
                v_window smallint;
                v_min_count smallint;
                v_tenant varchar;
                v_service varchar;
                v_env varchar;
                v_active integer;
                v_recent integer;
            BEGIN
                SELECT t.id, t.protect_last_active, t.mass_deactivation_percent, t.mass_deactivation_window_minutes,
                       t.mass_deactivation_min_count, t.name, s.name, env.name
                INTO v_tenant_id, v_protected, v_percent, v_window, v_min_count, v_tenant, v_service, v_env
                FROM environments env
                JOIN services s ON s.id = env.service_id
                JOIN tenants t ON t.id = s.tenant_id
                WHERE env.id = NEW.environment_id;

                IF coalesce(v_protected, false) AND coalesce(current_setting('tm.force_reason', true), '') = '' THEN
                    PERFORM 1 FROM environments env WHERE env.id = NEW.environment_id FOR NO KEY UPDATE;
                    IF NOT EXISTS (SELECT 1 FROM endpoints e WHERE e.environment_id = NEW.environment_id AND e.is_active) THEN
                        RAISE EXCEPTION 'deactivating %/%/%/% would leave %/%/% with no active version',
                                v_tenant, v_service, v_env, NEW.version, v_tenant, v_service, v_env
                            USING ERRCODE = 'TM409',
                                  DETAIL = json_build_object('tenant', v_tenant, 'service', v_service, 'env', v_env, 'version', NEW.version)::text;
                    END IF;
                END IF;

                IF v_percent IS NOT NULL AND coalesce(current_setting('tm.approved_by', true), '') = '' THEN
                    PERFORM 1 FROM tenants t WHERE t.id = v_tenant_id FOR NO KEY UPDATE;
                    SELECT count(*) FILTER (WHERE e.is_active),
                           count(*) FILTER (WHERE NOT e.is_active AND e.updated_at > now() - make_interval(mins => v_window))
                    INTO v_active, v_recent
                    FROM endpoints e
                    JOIN environments env ON env.id = e.environment_id
                    JOIN services s ON s.id = env.service_id
                    WHERE s.tenant_id = v_tenant_id;
                    IF v_recent >= v_min_count AND v_recent * 100 > v_percent * (v_active + v_recent) THEN
                        RAISE EXCEPTION 'deactivating %/%/%/% would make % of tenant %''s % versions deactivated within % minutes (limit % percent)',
                                v_tenant, v_service, v_env, NEW.version, v_recent, v_tenant, v_active + v_recent, v_window, v_percent
                            USING ERRCODE = 'TM429',
                                  DETAIL = json_build_object('tenant', v_tenant, 'service', v_service, 'env', v_env, 'version', NEW.version,
                                      'deactivated', v_recent, 'active', v_active, 'max_percent', v_percent,
                                      'window_minutes', v_window, 'min_count', v_min_count)::text;
                    END IF;
                END IF;
                RETURN NULL;
            END
            $fn$
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE OR REPLACE ${LAST_ACTIVE_GUARD_FUNCTION}`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "mass_deactivation_min_count"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "mass_deactivation_window_minutes"`);
        await queryRunner.query(`ALTER TABLE "tenants" DROP COLUMN "mass_deactivation_percent"`);
    }
}
