import { ValidationPipe } from '@nestjs/common';
import { ValidationFailedError } from '../../../common/errors/common.errors';
import { VALIDATION_OPTIONS } from '../../../common/validation/validation.options';
import { ActionAuditQueryDto } from './action-audit-query.dto';
import { RecentAuditQueryDto } from './recent-audit-query.dto';
import { RouteAuditQueryDto } from './route-audit-query.dto';
import { TimeRangeAuditQueryDto } from './time-range-audit-query.dto';

const pipe = new ValidationPipe(VALIDATION_OPTIONS);
const parse = (metatype: new () => object, query: Record<string, unknown>) => pipe.transform(query, { type: 'query', metatype });

async function problemsOf(metatype: new () => object, query: Record<string, unknown>) {
  try {
    await parse(metatype, query);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationFailedError);
    return (err as ValidationFailedError).details;
  }
  throw new Error('expected a validation failure');
}

describe('audit query DTOs', () => {
  it('should turn digit strings into numbers and leave absent ones for the defaults', async () => {
    await expect(parse(RecentAuditQueryDto, { days: '7', limit: '25', tenant: ' team-a ' })).resolves.toEqual({
      days: 7,
      limit: 25,
      tenant: 'team-a',
    });
    await expect(parse(RecentAuditQueryDto, {})).resolves.toEqual({});
  });

  it('should read timestamps with any offset as UTC instants', async () => {
    const query = await parse(TimeRangeAuditQueryDto, { start_time: '2026-01-14T19:00:00+02:00', end_time: '2026-01-14T18:00:00Z' });

    expect(query).toMatchObject({ start_time: new Date('2026-01-14T17:00:00Z'), end_time: new Date('2026-01-14T18:00:00Z') });
  });

  it('should take an optional window and author on the route history', async () => {
    const route = { tenant: 'team-a', service: 'payments', env: 'prod', version: 'v2' };

    await expect(parse(RouteAuditQueryDto, route)).resolves.toEqual(route);
    await expect(
      parse(RouteAuditQueryDto, { ...route, start_time: '2026-11-23T00:00:00+01:00', changed_by: 'deploy-bot', changed_by_key_id: 'bootstrap' }),
    ).resolves.toEqual({ ...route, start_time: new Date('2026-11-22T23:00:00Z'), changed_by: 'deploy-bot', changed_by_key_id: 'bootstrap' });
  });

  it.each([
    [
      RouteAuditQueryDto,
      { tenant: 't', service: 's', env: 'e', version: 'v', end_time: 'last week' },
      'end_time',
      expect.stringContaining('with a timezone'),
    ],
    [RecentAuditQueryDto, { changed_by: '' }, 'changed_by', expect.stringContaining('must be 1-128 characters')],
    [RecentAuditQueryDto, { changed_by: ['a', 'b'] }, 'changed_by', expect.stringContaining('must be 1-128 characters')],
    [RecentAuditQueryDto, { changed_by: '{"$ne":null}' }, 'changed_by', expect.stringContaining('must be 1-128 characters')],
    [ActionAuditQueryDto, { action: 'created', changed_by_key_id: 'k\u0000' }, 'changed_by_key_id', expect.stringContaining('a key id')],
    [RecentAuditQueryDto, { limit: 'abc' }, 'limit', 'must be an integer between 1 and 1000'],
    [RecentAuditQueryDto, { limit: '1.5' }, 'limit', 'must be an integer between 1 and 1000'],
    [RecentAuditQueryDto, { limit: '' }, 'limit', 'must be an integer between 1 and 1000'],
    [RecentAuditQueryDto, { limit: ['1', '2'] }, 'limit', 'must be an integer between 1 and 1000'],
    [RecentAuditQueryDto, { days: '366' }, 'days', 'must be an integer between 1 and 365'],
    [RecentAuditQueryDto, { days: '-1' }, 'days', 'must be an integer between 1 and 365'],
    [ActionAuditQueryDto, {}, 'action', 'is required'],
    [ActionAuditQueryDto, { action: 'deleted' }, 'action', 'must be one of created, updated, activated, deactivated'],
    [ActionAuditQueryDto, { action: 'created', hours: '8761' }, 'hours', 'must be an integer between 1 and 8760'],
    [TimeRangeAuditQueryDto, { end_time: '2026-01-14T18:00:00Z' }, 'start_time', 'is required'],
    [
      TimeRangeAuditQueryDto,
      { start_time: '2026-01-14T17:00:00', end_time: '2026-01-14T18:00:00Z' },
      'start_time',
      expect.stringContaining('with a timezone'),
    ],
    [TimeRangeAuditQueryDto, { start_time: '2026-01-14T17:00:00Z', end_time: ['a', 'b'] }, 'end_time', expect.stringContaining('with a timezone')],
  ])('should reject %p %p naming %s', async (metatype, query, field, problem) => {
    expect(await problemsOf(metatype, query)).toContainEqual({ field, problem });
  });
});
