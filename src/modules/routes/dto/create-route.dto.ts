import { IsEndpointUrl } from '../../../common/validation/endpoint-url.decorator';
import { validateByHand } from '../../../common/validation/hand-validators';
import { RouteKeyDto } from '../../../common/validation/route-key.dto';
import { parseCreateRouteBody } from './create-route-body';
import { IsExpectedRevision } from './expected-revision.decorator';

export class CreateRouteDto extends RouteKeyDto {
  @IsEndpointUrl()
  url: string;

  @IsExpectedRevision()
  expected_revision?: number;
}

// Every write's body: validated by hand on the hot path (hand-validators.ts), by these decorators in its spec.
validateByHand(CreateRouteDto, parseCreateRouteBody);
