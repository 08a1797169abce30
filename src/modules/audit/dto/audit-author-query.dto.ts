import { IsOptionalAuthor } from '../audit-query.decorator';
import { AuditPageQueryDto } from './audit-page-query.dto';

export class AuditAuthorQueryDto extends AuditPageQueryDto {
  @IsOptionalAuthor('name', 'Only changes made with the API key of this name (changed_by)')
  changed_by?: string;

  @IsOptionalAuthor('id', 'Only changes made with the API key of this id (changed_by_key_id)')
  changed_by_key_id?: string;

  @IsOptionalAuthor(
    'correlation',
    'Only changes made by the request with this correlation id (its X-Correlation-ID): every route a changeset changed, say',
  )
  correlation_id?: string;
}
