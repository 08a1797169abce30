import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MAX_URL_LENGTH } from '../../../common/validation/endpoint-url';
import { ROUTE_NAME_PATTERN } from '../../../common/validation/route-name.decorator';
import { MAX_REVISION } from '../write-precondition';
import { CHANGE_ACTIONS, CHANGESET_MAX_CHANGES } from './changeset-body';
import { MAX_REASON_LENGTH } from './force-override';
import { RouteResponseDto } from './route-response.dto';

const name = (example: string, description: string) => ({ example, description, pattern: ROUTE_NAME_PATTERN.source, minLength: 1, maxLength: 128 });

// The OpenAPI description of a changeset. Validation is by hand (changeset-body.ts), each change
// by its single write's hand validator, which the specs of those compare with their DTOs'
// decorators; so these classes only describe the shapes and carry no validators of their own.
export class ChangesetChangeDto {
  @ApiProperty({
    enum: CHANGE_ACTIONS,
    example: 'upsert',
    description: 'upsert: create or update (url); activate; deactivate; rollback: restore revision to_revision',
  })
  action: string;

  @ApiProperty(name('payments', 'Service name')) service: string;
  @ApiProperty(name('prod', 'Environment name')) env: string;
  @ApiProperty(name('v2', 'Version label')) version: string;

  @ApiPropertyOptional({
    example: 'https://payments-v2.internal.example.com',
    maxLength: MAX_URL_LENGTH,
    format: 'uri',
    description: 'upsert only, and required there: the endpoint URL, under the same rules as POST /api/v1/routes',
  })
  url?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_REVISION, example: 3, description: 'rollback only, and required there' })
  to_revision?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: MAX_REVISION,
    example: 3,
    description:
      'Apply the changeset only if this route is at this revision (0: only if it does not exist yet); otherwise 412 and nothing is written',
  })
  expected_revision?: number;
}

export class ChangesetDto {
  @ApiProperty(name('team-a', 'The tenant of every route in the changeset'))
  tenant: string;

  @ApiProperty({ type: [ChangesetChangeDto], minItems: 1, maxItems: CHANGESET_MAX_CHANGES, description: 'At most one change per route' })
  changes: ChangesetChangeDto[];

  @ApiPropertyOptional({
    type: 'boolean',
    example: true,
    description:
      "Override the tenant's write-time interlock for the whole changeset (it is judged by the changeset's outcome): apply it even " +
      'if it leaves an environment with no active version. Requires a reason; not accepted inside a change.',
  })
  force?: boolean;

  @ApiPropertyOptional({
    type: 'string',
    minLength: 1,
    maxLength: MAX_REASON_LENGTH,
    example: 'billing retired, ticket OPS-1234',
    description: 'Required with "force": true, and accepted only with it. Carried in every event of the changeset as force_reason.',
  })
  reason?: string;

  @ApiPropertyOptional({
    type: 'boolean',
    example: false,
    description:
      'true: a preview. The changeset is applied in a transaction that is rolled back, write-time interlocks included, so the ' +
      'answer (the outcome and route of each change, with the revisions it would get) or the error is what applying it now ' +
      'would give; nothing is written, no event is sent. Counts in the rate limit like the changeset itself',
  })
  dry_run?: boolean;
}

export class ChangesetResultDto {
  @ApiProperty({ enum: ['created', 'changed', 'unchanged'], example: 'changed' })
  outcome: string;

  @ApiProperty({ type: RouteResponseDto, description: 'The route after the changeset' })
  route: RouteResponseDto;
}

export class ChangesetResponseDto {
  @ApiProperty({ example: 'team-a' }) tenant: string;
  @ApiProperty({ type: [ChangesetResultDto], description: 'One result per change, in the order of the request' }) changes: ChangesetResultDto[];
  @ApiProperty({ type: 'integer', example: 2 }) count: number;
  @ApiPropertyOptional({ example: true, description: 'Present on a preview: nothing was written' }) dry_run?: boolean;
}
