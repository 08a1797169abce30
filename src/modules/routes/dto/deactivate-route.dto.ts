import { validateByHand } from '../../../common/validation/hand-validators';
import { parseDeactivateRouteBody } from './deactivate-route-body';
import { IsForce, IsForceReason } from './force-override';
import { RouteChangeDto } from './route-change.dto';

// The body of a deactivate: the route, optionally the revision it must be at, and the override of
// the tenant's write-time interlock (force with a reason).
export class DeactivateRouteDto extends RouteChangeDto {
  @IsForce()
  force?: boolean;

  @IsForceReason()
  reason?: string;
}

validateByHand(DeactivateRouteDto, parseDeactivateRouteBody);
