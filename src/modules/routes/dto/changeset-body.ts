import { ErrorDetail } from '../../../common/errors/domain.error';
import { HandValidated } from '../../../common/validation/hand-validators';
import { routeNameProblem, unknownFields } from '../../../common/validation/route-key-query';
import { RouteKey, routeKeyString } from '../../../contracts/route-key';
import { parseCreateRouteBody } from './create-route-body';
import { addForceOverride, FORCE_FIELD, ForceOverride, REASON_FIELD } from './force-override';
import { parseRollbackRouteBody } from './rollback-route-body';
import { parseRouteChangeBody } from './route-change-body';

export const CHANGESET_MAX_CHANGES = 100;
export const DRY_RUN_FIELD = 'dry_run';
export const CHANGE_ACTIONS = ['upsert', 'activate', 'deactivate', 'rollback'] as const;
export type ChangeAction = (typeof CHANGE_ACTIONS)[number];

export type ChangesetChange = { key: RouteKey; expected_revision?: number } & (
  { action: 'upsert'; url: string } | { action: 'activate' | 'deactivate' } | { action: 'rollback'; to_revision: number }
);

export interface ChangesetBody extends ForceOverride {
  tenant: string;
  changes: ChangesetChange[];
  // Preview: apply nothing, answer what applying it now would do (POST /api/v1/routes/changeset only).
  dry_run?: boolean;
}

// Each change is validated by the single write's own hand validator (create, activate/deactivate,
// rollback), so a change in a changeset is accepted exactly when the same request on its own would
// be, with the same messages; its fields are reported as `changes.<i>.<field>`. The tenant is given
// once, at the top: every change of a changeset belongs to one tenant (one rate-limit bucket, one
// scope check), and a `tenant` inside a change is refused rather than silently overridden. So are
// `force` and `reason` (force-override.ts): the write-time interlock judges the changeset's outcome,
// so its override is the changeset's, given once at the top next to the tenant.
const PARSERS = {
  upsert: parseCreateRouteBody,
  activate: parseRouteChangeBody,
  deactivate: parseRouteChangeBody,
  rollback: parseRollbackRouteBody,
} as const;

const ACTION_PROBLEM = `must be one of ${CHANGE_ACTIONS.join(', ')}`;
const CHANGES_PROBLEM = `must be an array of 1 to ${CHANGESET_MAX_CHANGES} changes`;

export function parseChangesetBody(input: object): HandValidated<ChangesetBody> {
  const source = input as Record<string, unknown>;
  const details = unknownFields(source, ['tenant', 'changes', FORCE_FIELD, REASON_FIELD, DRY_RUN_FIELD]);
  const tenant = own(source, 'tenant');
  const tenantProblem = routeNameProblem(tenant);
  if (tenantProblem) details.push({ field: 'tenant', problem: tenantProblem });
  const override = addForceOverride(source, details, {});
  const dryRun = own(source, DRY_RUN_FIELD);
  if (dryRun !== undefined && typeof dryRun !== 'boolean') details.push({ field: DRY_RUN_FIELD, problem: 'must be true or false' });
  const raw = own(source, 'changes');
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > CHANGESET_MAX_CHANGES) {
    details.push({ field: 'changes', problem: raw === undefined || raw === null ? 'is required' : CHANGES_PROBLEM });
    return { details };
  }
  const changes: ChangesetChange[] = [];
  const seen = new Map<string, number>();
  raw.forEach((item: unknown, index) => {
    const change = parseChange(item, tenant, `changes.${index}`, details);
    if (!change) return;
    const id = routeKeyString(change.key);
    const first = seen.get(id);
    if (first !== undefined) details.push({ field: `changes.${index}`, problem: `names the same route as changes.${first}` });
    else seen.set(id, index);
    changes.push(change);
  });
  if (details.length) return { details };
  return { value: { tenant: (tenant as string).trim(), changes, ...override, ...(dryRun === undefined ? {} : { dry_run: dryRun as boolean }) } };
}

function parseChange(item: unknown, tenant: unknown, at: string, details: ErrorDetail[]): ChangesetChange | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    details.push({ field: at, problem: 'must be an object' });
    return undefined;
  }
  const fields = item as Record<string, unknown>;
  const action = own(fields, 'action');
  if (typeof action !== 'string' || !Object.prototype.hasOwnProperty.call(PARSERS, action)) {
    details.push({ field: `${at}.action`, problem: action === undefined || action === null ? 'is required' : ACTION_PROBLEM });
    return undefined;
  }
  // The single write's body: this change's own fields without `action`, and the changeset's tenant.
  // A null-prototype object, so a "__proto__" field stays a field (and is refused as unknown).
  const body: Record<string, unknown> = Object.create(null);
  for (const [name, value] of Object.entries(fields)) {
    if (name === 'tenant')
      details.push({ field: `${at}.tenant`, problem: 'is not an accepted field (the changeset names its tenant once, at the top)' });
    else if (name === FORCE_FIELD || name === REASON_FIELD)
      details.push({ field: `${at}.${name}`, problem: 'is not an accepted field (a changeset is forced as a whole: send it once, at the top)' });
    else if (name !== 'action') body[name] = value;
  }
  body.tenant = tenant;
  const parsed = PARSERS[action as ChangeAction](body);
  if (parsed.details) {
    // The tenant's problem, if any, is reported once, as the changeset's own `tenant`.
    for (const detail of parsed.details) if (detail.field !== 'tenant') details.push({ field: `${at}.${detail.field}`, problem: detail.problem });
    return undefined;
  }
  const { tenant: name, service, env, version, ...rest } = parsed.value as RouteKey & Record<string, unknown>;
  return { action, key: { tenant: name, service, env, version }, ...rest } as ChangesetChange;
}

function own(source: Record<string, unknown>, field: string): unknown {
  return Object.prototype.hasOwnProperty.call(source, field) ? source[field] : undefined;
}
