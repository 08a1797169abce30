import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';
import { IsOptionalKeyTenant } from './key-fields.decorator';

export class ListKeysQueryDto {
  @IsOptionalKeyTenant('Only keys of this tenant, or "*" for platform keys only')
  tenant?: string;

  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}
