import { IsPageCursor, IsPageLimit } from '../audit-query.decorator';

export class AuditPageQueryDto {
  @IsPageLimit()
  limit?: number;

  @IsPageCursor()
  cursor?: string;
}
