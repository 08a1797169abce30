import { MigrationInterface, QueryRunner } from "typeorm";
import { ApplyRouteChangeFunction1795306097484 } from "./1795306097484-ApplyRouteChangeFunction";
import { ConditionalRouteChange1796297888448 } from "./1796297888448-ConditionalRouteChange";

// Route history and rollback (docs/design.md "Route history and rollback"): every revision of a route
// (its URL, whether it was active, who changed it and when) is one row of route_revisions, written
// by the write function in the same statement and transaction as the change and its outbox row, so
// the history is exactly as consistent as the route itself. A rollback reads a kept revision and
// writes its state as a new change. Routes that exist when this runs get one "baseline" row with
// their current state (what came before is not known here; the audit trail has it).
//
// The foreign key to endpoints (ON DELETE CASCADE) costs a trigger and a row lookup per write, and
// was left out at first for that; the bench then showed why it is needed: endpoint rows removed
// outside the API (its reset does TRUNCATE … RESTART IDENTITY CASCADE) left their history behind,
// and once ids were reused every write to those routes failed on the primary key. History must go
// with its route, whoever removes it.
//
// The eleven-parameter function gets the history insert (its body is the previous migration's with
// one INSERT added; a migration is a snapshot, so it is repeated here). The nine-parameter one, kept
// for instances of older releases during a rolling deploy, becomes a wrapper around it, so their
// writes are recorded too. `down` restores both functions from their own migrations.
export class RouteRevisionHistory1796305502422 implements MigrationInterface {
    name = 'RouteRevisionHistory1796305502422'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE TABLE "route_revisions" (
                "endpoint_id" integer NOT NULL,
                "revision" integer NOT NULL,
                "action" character varying(16) NOT NULL,
                "url" character varying(2048) NOT NULL,
                "is_active" boolean NOT NULL,
                "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "changed_by" character varying,
                "changed_by_key_id" character varying,
                "correlation_id" character varying,
                "event_id" uuid,
                CONSTRAINT "pk_route_revisions" PRIMARY KEY ("endpoint_id", "revision"),
                CONSTRAINT "fk_route_revisions_endpoint" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE
            )
        `);
        await queryRunner.query(`
            INSERT INTO "route_revisions" (endpoint_id, revision, action, url, is_active, changed_at)
            SELECT id, revision, 'baseline', url, is_active, updated_at FROM endpoints
        `);

        await queryRunner.query(`
            CREATE OR REPLACE FUNCTION "tm_apply_route_change"(
                p_tenant varchar, p_service varchar, p_env varchar, p_version varchar,
                p_url varchar, p_active boolean,
                p_message_key varchar, p_event jsonb, p_headers jsonb,
                p_condition text, p_revisions integer[]
            )
            RETURNS TABLE (
                id integer, version varchar, url varchar, is_active boolean, revision integer,
                created_at timestamptz, updated_at timestamptz, created boolean, changed boolean,
                matched boolean
            )
            LANGUAGE plpgsql
            AS $fn$
            #variable_conflict use_column
            DECLARE
                cur endpoints%ROWTYPE;
                nxt endpoints%ROWTYPE;
                v_tenant integer;
                v_service integer;
                v_env integer;
                v_action text;
            BEGIN
                SELECT e.* INTO cur
                FROM endpoints e
                JOIN environments env ON env.id = e.environment_id
                JOIN services s ON s.id = env.service_id
                JOIN tenants t ON t.id = s.tenant_id
                WHERE t.name = p_tenant AND s.name = p_service AND env.name = p_env AND e.version = p_version
                FOR UPDATE OF e;

                IF NOT FOUND THEN
                    IF p_url IS NULL THEN
                        RETURN;
                    END IF;
                    IF p_condition IN ('exists', 'revisions') THEN
                        RETURN QUERY SELECT NULL::integer, p_version, NULL::varchar, NULL::boolean, NULL::integer,
                            NULL::timestamptz, NULL::timestamptz, false, false, false;
                        RETURN;
                    END IF;
                    SELECT env.id INTO v_env
                    FROM environments env
                    JOIN services s ON s.id = env.service_id
                    JOIN tenants t ON t.id = s.tenant_id
                    WHERE t.name = p_tenant AND s.name = p_service AND env.name = p_env;
                    IF NOT FOUND THEN
                        SELECT t.id INTO v_tenant FROM tenants t WHERE t.name = p_tenant;
                        IF NOT FOUND THEN
                            INSERT INTO tenants (name) VALUES (p_tenant) ON CONFLICT DO NOTHING RETURNING tenants.id INTO v_tenant;
                            IF NOT FOUND THEN
                                SELECT t.id INTO v_tenant FROM tenants t WHERE t.name = p_tenant;
                            END IF;
                        END IF;
                        SELECT s.id INTO v_service FROM services s WHERE s.tenant_id = v_tenant AND s.name = p_service;
                        IF NOT FOUND THEN
                            INSERT INTO services (tenant_id, name) VALUES (v_tenant, p_service)
                            ON CONFLICT DO NOTHING RETURNING services.id INTO v_service;
                            IF NOT FOUND THEN
                                SELECT s.id INTO v_service FROM services s WHERE s.tenant_id = v_tenant AND s.name = p_service;
                            END IF;
                        END IF;
                        INSERT INTO environments (service_id, name) VALUES (v_service, p_env)
                        ON CONFLICT DO NOTHING RETURNING environments.id INTO v_env;
                        IF NOT FOUND THEN
                            SELECT env.id INTO v_env FROM environments env WHERE env.service_id = v_service AND env.name = p_env;
                        END IF;
                    END IF;

                    INSERT INTO endpoints (environment_id, version, url, is_active, revision)
                    VALUES (v_env, p_version, p_url, true, 1)
                    ON CONFLICT (environment_id, version) DO NOTHING
                    RETURNING * INTO nxt;
                    IF FOUND THEN
                        INSERT INTO outbox_events (event_id, event_type, message_key, payload, headers)
                        VALUES (
                            (p_event->>'event_id')::uuid, p_event->>'event_type', p_message_key,
                            p_event || jsonb_build_object(
                                'action', 'created', 'url', nxt.url, 'previous_url', NULL,
                                'previous_state', NULL, 'revision', nxt.revision),
                            p_headers);
                        INSERT INTO route_revisions (endpoint_id, revision, action, url, is_active, changed_at,
                            changed_by, changed_by_key_id, correlation_id, event_id)
                        VALUES (nxt.id, nxt.revision, 'created', nxt.url, nxt.is_active, nxt.updated_at,
                            p_event->>'changed_by', p_event->>'changed_by_key_id', p_event->>'correlation_id',
                            (p_event->>'event_id')::uuid);
                        RETURN QUERY SELECT nxt.id, nxt.version, nxt.url, nxt.is_active, nxt.revision,
                            nxt.created_at, nxt.updated_at, true, true, true;
                        RETURN;
                    END IF;
                    SELECT e.* INTO cur FROM endpoints e
                    WHERE e.environment_id = v_env AND e.version = p_version
                    FOR UPDATE;
                    IF NOT FOUND THEN
                        RETURN;
                    END IF;
                END IF;

                IF p_condition = 'absent' OR (p_condition = 'revisions' AND NOT (cur.revision = ANY (p_revisions))) THEN
                    RETURN QUERY SELECT cur.id, cur.version, cur.url, cur.is_active, cur.revision,
                        cur.created_at, cur.updated_at, false, false, false;
                    RETURN;
                END IF;

                IF p_url IS NOT NULL AND p_url IS DISTINCT FROM cur.url THEN
                    v_action := 'updated';
                ELSIF p_active AND NOT cur.is_active THEN
                    v_action := 'activated';
                ELSIF NOT p_active AND cur.is_active THEN
                    v_action := 'deactivated';
                ELSE
                    RETURN QUERY SELECT cur.id, cur.version, cur.url, cur.is_active, cur.revision,
                        cur.created_at, cur.updated_at, false, false, true;
                    RETURN;
                END IF;

                UPDATE endpoints e
                SET url = coalesce(p_url, e.url), is_active = p_active, revision = e.revision + 1, updated_at = now()
                WHERE e.id = cur.id
                RETURNING e.* INTO nxt;
                INSERT INTO outbox_events (event_id, event_type, message_key, payload, headers)
                VALUES (
                    (p_event->>'event_id')::uuid, p_event->>'event_type', p_message_key,
                    p_event || jsonb_build_object(
                        'action', v_action, 'url', nxt.url, 'previous_url', cur.url,
                        'previous_state', CASE WHEN cur.is_active THEN 'active' ELSE 'inactive' END,
                        'revision', nxt.revision),
                    p_headers);
                INSERT INTO route_revisions (endpoint_id, revision, action, url, is_active, changed_at,
                    changed_by, changed_by_key_id, correlation_id, event_id)
                VALUES (nxt.id, nxt.revision, v_action, nxt.url, nxt.is_active, nxt.updated_at,
                    p_event->>'changed_by', p_event->>'changed_by_key_id', p_event->>'correlation_id',
                    (p_event->>'event_id')::uuid);
                RETURN QUERY SELECT nxt.id, nxt.version, nxt.url, nxt.is_active, nxt.revision,
                    nxt.created_at, nxt.updated_at, false, true, true;
            END
            $fn$
        `);

        // The previous release's signature, now the same write without a precondition.
        await queryRunner.query(`
            CREATE OR REPLACE FUNCTION "tm_apply_route_change"(
                p_tenant varchar, p_service varchar, p_env varchar, p_version varchar,
                p_url varchar, p_active boolean,
                p_message_key varchar, p_event jsonb, p_headers jsonb
            )
            RETURNS TABLE (
                id integer, version varchar, url varchar, is_active boolean, revision integer,
                created_at timestamptz, updated_at timestamptz, created boolean, changed boolean
            )
            LANGUAGE sql
            AS $fn$
                SELECT r.id, r.version, r.url, r.is_active, r.revision, r.created_at, r.updated_at, r.created, r.changed
                FROM tm_apply_route_change(p_tenant, p_service, p_env, p_version, p_url, p_active,
                    p_message_key, p_event, p_headers, NULL::text, NULL::integer[]) AS r
            $fn$
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        // Both functions as their own migrations created them, then the table.
        await queryRunner.query(`
            DROP FUNCTION "tm_apply_route_change"(varchar, varchar, varchar, varchar, varchar, boolean, varchar, jsonb, jsonb, text, integer[])
        `);
        await queryRunner.query(`
            DROP FUNCTION "tm_apply_route_change"(varchar, varchar, varchar, varchar, varchar, boolean, varchar, jsonb, jsonb)
        `);
        await new ApplyRouteChangeFunction1795306097484().up(queryRunner);
        await new ConditionalRouteChange1796297888448().up(queryRunner);
        await queryRunner.query(`DROP TABLE "route_revisions"`);
    }

}
