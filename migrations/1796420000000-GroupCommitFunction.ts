import { MigrationInterface, QueryRunner } from "typeorm";

// Group commit (docs/design.md, "Group commit"): several requests' single changes written by one
// statement, so by one transaction, one round trip and one WAL flush. Each change is exactly the
// single write (tm_apply_route_change with its precondition, its outbox row and its revision row),
// applied in the order of the arrays, which the caller sorts by route key (the same lock order as a
// changeset, so groups, changesets and single writes cannot deadlock on routes). Its rows carry
// `ord`, the change's 1-based position; a change with no row found no route to change.
//
// All of a group commits or none: a change that raises (an interlock's refusal, checked at the
// commit) rolls the whole group back, and the service then writes each of its changes on its own,
// so every caller gets exactly the answer its change would have had alone. p_revisions are array
// literals ('{3,4}') or NULL, because PostgreSQL arrays cannot hold arrays of different lengths.
export class GroupCommitFunction1796420000000 implements MigrationInterface {
    name = 'GroupCommitFunction1796420000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            CREATE FUNCTION "tm_apply_route_changes"(
                p_tenants varchar[], p_services varchar[], p_envs varchar[], p_versions varchar[],
                p_urls varchar[], p_actives boolean[],
                p_message_keys varchar[], p_events jsonb[], p_headers jsonb[],
                p_conditions text[], p_revisions text[]
            )
            RETURNS TABLE (
                ord integer, id integer, version varchar, url varchar, is_active boolean, revision integer,
                created_at timestamptz, updated_at timestamptz, created boolean, changed boolean,
                matched boolean
            )
            LANGUAGE plpgsql
            AS $fn$
            BEGIN
                FOR i IN 1 .. coalesce(array_length(p_tenants, 1), 0) LOOP
                    RETURN QUERY SELECT i, r.id, r.version, r.url, r.is_active, r.revision,
                        r.created_at, r.updated_at, r.created, r.changed, r.matched
                    FROM tm_apply_route_change(p_tenants[i], p_services[i], p_envs[i], p_versions[i],
                        p_urls[i], p_actives[i], p_message_keys[i], p_events[i], p_headers[i],
                        p_conditions[i], p_revisions[i]::integer[]) r;
                END LOOP;
            END
            $fn$
        `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`
            DROP FUNCTION "tm_apply_route_changes"(varchar[], varchar[], varchar[], varchar[], varchar[], boolean[],
                varchar[], jsonb[], jsonb[], text[], text[])
        `);
    }
}
