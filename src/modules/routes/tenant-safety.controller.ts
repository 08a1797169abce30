import { Body, Controller, Get, Param, Put, UseInterceptors } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { Principal, TenantScope } from '../../contracts/principal';
import { Caller, CallerScope, RequiresRole } from '../auth';
import { BulkheadInterceptor, DrainInterceptor, OperationClass } from '../resilience';
import { TenantParamDto, TenantSafetyDto, UpdateTenantSafetyDto } from './dto/tenant-safety.dto';
import { TenantSafetyService } from './tenant-safety.service';

// A tenant's write-time safety interlocks. Anyone who may read the tenant's routes may read them;
// only an admin of the tenant (or a platform admin) may change them: a writer must not be able to
// lift the interlock that guards its own writes.
@ApiTags('tenants')
@Controller('api/v1/tenants')
@UseInterceptors(DrainInterceptor, BulkheadInterceptor)
@OperationClass('audit')
export class TenantSafetyController {
  constructor(private readonly safety: TenantSafetyService) {}

  @Get(':tenant/safety')
  @ApiOperation({ summary: "The tenant's write-time safety interlocks" })
  @ApiOkResponse({ type: TenantSafetyDto })
  @ApiErrors(400, 404, 503)
  get(@CallerScope() scope: TenantScope, @Param() params: TenantParamDto): Promise<TenantSafetyDto> {
    return this.safety.get(scope, params.tenant);
  }

  @Put(':tenant/safety')
  @OperationClass('writes')
  @RequiresRole('admin')
  @ApiOperation({
    summary: "Set the tenant's write-time safety interlocks (replaces them)",
    description:
      'protect_last_active: true makes PostgreSQL refuse any change (deactivate, a rollback to an inactive revision, a ' +
      "changeset or a scheduled one) that would leave one of the tenant's environments with no active version: 409 " +
      'ROUTE.LAST_ACTIVE_VERSION, nothing written. A changeset is judged by its outcome, so switching versions in one ' +
      'changeset passes. "force": true with a "reason" overrides it; the reason travels in the event (force_reason) to the ' +
      'audit trail and webhooks. mass_deactivation limits how much of the tenant may be deactivated within a window: beyond ' +
      'it, 409 ROUTE.MASS_DEACTIVATION unless the change is a scheduled changeset approved by another key; force does not ' +
      'override it. Both are off by default (a field left out is off), so clients of the seed that retire a route by ' +
      'deactivating it keep working.',
  })
  @ApiOkResponse({ type: TenantSafetyDto })
  @ApiErrors(400, 404, 413, 415, 503)
  put(@Caller() caller: Principal, @Param() params: TenantParamDto, @Body() body: UpdateTenantSafetyDto): Promise<TenantSafetyDto> {
    return this.safety.replace(caller, params.tenant, body);
  }
}
