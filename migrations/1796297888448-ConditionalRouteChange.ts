import { MigrationInterface, QueryRunner } from "typeorm";

// Conditional writes (optimistic concurrency, docs/design.md "Conditional writes"): the write
// function takes a precondition and checks it under the row lock, in the same statement and
// transaction as the change and its outbox row. p_condition NULL: none; 'exists': the route must
// exist (If-Match: *); 'absent': it must not (If-None-Match: *, or expected_revision 0);
// 'revisions': its revision must be one of p_revisions (If-Match tags, expected_revision). A
// mismatch returns the route as it is with matched = false (no revision, no event); a missing route
// that had to exist returns a row of NULLs with matched = false. The body is the previous
// migration's with those checks added (a migration is a snapshot, so it is repeated here).
// The nine-parameter function stays (PostgreSQL tells them apart by their parameters): instances of
// the previous release keep writing through it during a rolling deploy, and a later migration can
// drop it once no release calls it.
export class ConditionalRouteChange1796297888448 implements MigrationInterface {
    name = 'ConditionalRouteChange1796297888448'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE FUNCTION "tm_apply_route_change"(
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
                    -- If-Match (a revision or "*") needs the route to exist: refused before any
                    -- parent row or sequence value is spent. No row columns: there is no route.
                    IF p_condition IN ('exists', 'revisions') THEN
                        RETURN QUERY SELECT NULL::integer, p_version, NULL::varchar, NULL::boolean, NULL::integer,
                            NULL::timestamptz, NULL::timestamptz, false, false, false;
                        RETURN;
                    END IF;
                    -- Parents are looked up first so existing ones cost no sequence value. An insert
                    -- that conflicts waits for the concurrent inserter's commit, and the next
                    -- statement (a new snapshot under READ COMMITTED) sees its row.
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
                        RETURN QUERY SELECT nxt.id, nxt.version, nxt.url, nxt.is_active, nxt.revision,
                            nxt.created_at, nxt.updated_at, true, true, true;
                        RETURN;
                    END IF;
                    -- A concurrent create committed first: this request is a repeat of it.
                    SELECT e.* INTO cur FROM endpoints e
                    WHERE e.environment_id = v_env AND e.version = p_version
                    FOR UPDATE;
                    IF NOT FOUND THEN
                        RETURN;
                    END IF;
                END IF;

                -- The precondition, under the row lock, on the route as it is now (also when a
                -- concurrent create committed first): a mismatch changes nothing and names the
                -- current revision.
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
                    -- Already in the requested state: no revision, no event, so retries are harmless.
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
                RETURN QUERY SELECT nxt.id, nxt.version, nxt.url, nxt.is_active, nxt.revision,
                    nxt.created_at, nxt.updated_at, false, true, true;
            END
            $fn$
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP FUNCTION "tm_apply_route_change"(varchar, varchar, varchar, varchar, varchar, boolean, varchar, jsonb, jsonb, text, integer[])
        `);
    }

}
