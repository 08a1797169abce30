import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsDefined, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { CORRELATION_ID_PROBLEM, SANE_ID as CORRELATION_ID } from '../../common/context/correlation-id';
import { KEY_NAME_PATTERN as KEY_NAME, KEY_NAME_PROBLEM } from '../../contracts/principal';
import { ROUTE_ACTIONS } from '../../contracts/route-event';
export { IsZonedTimestamp } from '../../common/validation/zoned-timestamp.decorator';

const ACTION_PROBLEM = `must be one of ${ROUTE_ACTIONS.join(', ')}`;
// Key ids: UUIDs, or "bootstrap" for the configured key.
const KEY_ID = /^[A-Za-z0-9-]{1,64}$/;
const KEY_ID_PROBLEM = 'must be 1-64 characters of A-Z, a-z, 0-9 or "-" (a key id)';

export function IsRouteAction(required: boolean, description: string) {
  return applyDecorators(
    required ? ApiProperty({ enum: ROUTE_ACTIONS, description }) : ApiPropertyOptional({ enum: ROUTE_ACTIONS, description }),
    required ? IsDefined({ message: 'is required' }) : IsOptional(),
    IsIn(ROUTE_ACTIONS, { message: ACTION_PROBLEM }),
  );
}

// changed_by (a key name), changed_by_key_id (a key id) or correlation_id (the write request's id, as
// the API accepts it in X-Correlation-ID); compared exactly. A repeated parameter (an array) is
// refused like any other malformed value.
const AUTHOR_RULES = {
  name: [KEY_NAME, KEY_NAME_PROBLEM],
  id: [KEY_ID, KEY_ID_PROBLEM],
  correlation: [CORRELATION_ID, CORRELATION_ID_PROBLEM],
} as const;

export function IsOptionalAuthor(kind: keyof typeof AUTHOR_RULES, description: string) {
  const [pattern, problem] = AUTHOR_RULES[kind];
  return applyDecorators(
    ApiPropertyOptional({ type: String, pattern: pattern.source, description }),
    IsOptional(),
    IsString({ message: problem }),
    Matches(pattern, { message: problem }),
  );
}
