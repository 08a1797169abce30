import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { registerDecorator } from 'class-validator';
import { EXPECTED_REVISION_PROBLEM, expectedRevisionProblem, MAX_REVISION } from '../write-precondition';

// The optional precondition of a route write (write-precondition.ts). One rule function for these
// decorators and the hand validators; null is refused, not taken as "not sent".
export function IsExpectedRevision() {
  return applyDecorators(
    ApiPropertyOptional({
      type: 'integer',
      minimum: 0,
      maximum: MAX_REVISION,
      example: 3,
      description:
        'Optimistic concurrency: apply the change only if the route is at this revision (0: only if the route does not exist ' +
        'yet); otherwise 412 ROUTE.PRECONDITION_FAILED with current_revision, and nothing is written. The same as ' +
        'If-Match: "3" (or If-None-Match: * for 0); send one of them.',
    }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isExpectedRevision',
        target: target.constructor,
        propertyName: String(propertyName),
        options: { message: EXPECTED_REVISION_PROBLEM },
        validator: { validate: (value: unknown) => expectedRevisionProblem(value) === null },
      }),
  );
}
