import { IsZonedTimestamp } from '../../../common/validation/zoned-timestamp.decorator';

export class RouteAsOfQueryDto {
  @IsZonedTimestamp(
    '2026-12-03T14:02:00Z',
    'Point in time: the route as it was then (its last revision committed at or before it, from the kept history)',
    false,
  )
  as_of?: Date;
}
