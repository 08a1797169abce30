import { RouteKeyDto } from '../../../common/validation/route-key.dto';

export class ResolveQueryDto extends RouteKeyDto {}
