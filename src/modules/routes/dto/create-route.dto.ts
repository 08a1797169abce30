import { IsEndpointUrl } from '../../../common/validation/endpoint-url.decorator';
import { RouteKeyDto } from '../../../common/validation/route-key.dto';

export class CreateRouteDto extends RouteKeyDto {
  @IsEndpointUrl()
  url: string;
}
