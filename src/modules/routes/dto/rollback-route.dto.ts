import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { validateByHand } from '../../../common/validation/hand-validators';
import { MAX_REVISION } from '../write-precondition';
import { IsForce, IsForceReason } from './force-override';
import { parseRollbackRouteBody, toRevisionProblem, TO_REVISION_PROBLEM } from './rollback-route-body';
import { RouteChangeDto } from './route-change.dto';

function IsToRevision() {
  return applyDecorators(
    ApiProperty({
      type: 'integer',
      minimum: 1,
      maximum: MAX_REVISION,
      example: 3,
      description:
        'The kept revision whose state to restore (GET /api/v1/routes/{tenant}/{service}/{env}/{version}/history lists them): ' +
        'an active revision sets its URL and activates the route, an inactive one deactivates it. The rollback is a new ' +
        'revision with its own event; nothing is rewritten.',
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isToRevision',
        target: target.constructor,
        propertyName: String(propertyName),
        // Required: class-validator runs a custom constraint on undefined and null too.
        options: { message: (args) => toRevisionProblem(args.value) ?? TO_REVISION_PROBLEM },
        validator: { validate: (value: unknown) => toRevisionProblem(value) === null },
      }),
  );
}

// The body of a rollback: the route, the revision to restore, and optionally the revision the route
// must be at now (optimistic concurrency, as for every write). A rollback to an inactive revision is
// a deactivation, so it may be forced past the tenant's interlock like one.
export class RollbackRouteDto extends RouteChangeDto {
  @IsToRevision()
  to_revision: number;

  @IsForce()
  force?: boolean;

  @IsForceReason()
  reason?: string;
}

validateByHand(RollbackRouteDto, parseRollbackRouteBody);
