import { validateByHand } from '../../../common/validation/hand-validators';
import { RouteKeyDto } from '../../../common/validation/route-key.dto';
import { IsExpectedRevision } from './expected-revision.decorator';
import { parseRouteChangeBody } from './route-change-body';

// The body of activate and deactivate: the route, and optionally the revision it must be at.
export class RouteChangeDto extends RouteKeyDto {
  @IsExpectedRevision()
  expected_revision?: number;
}

validateByHand(RouteChangeDto, parseRouteChangeBody);
