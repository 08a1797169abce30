import { IsPageCursor, IsPageLimit } from '../../../common/validation/paging.decorator';

export class AuditPageQueryDto {
  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}
