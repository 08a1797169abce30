import { IntersectionType } from '@nestjs/swagger';
import { RouteKeyDto } from '../../../common/validation/route-key.dto';
import { AuditPageQueryDto } from './audit-page-query.dto';

export class RouteAuditQueryDto extends IntersectionType(RouteKeyDto, AuditPageQueryDto) {}
