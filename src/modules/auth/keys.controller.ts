import { Body, Controller, Delete, Get, HttpStatus, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../common/http/api-errors.decorator';
import { ErrorResponseDto } from '../../common/http/error-response.dto';
import { Principal, Role } from '../../contracts/principal';
import { DrainInterceptor } from '../resilience';
import { Caller } from './caller.decorator';
import { CreatedKeyResponseDto } from './dto/created-key-response.dto';
import { CreateKeyDto } from './dto/create-key.dto';
import { KeyIdParamDto } from './dto/key-id-param.dto';
import { KeyListResponseDto } from './dto/key-list-response.dto';
import { KeyResponseDto } from './dto/key-response.dto';
import { ListKeysQueryDto } from './dto/list-keys-query.dto';
import { decodeKeyCursor, encodeKeyCursor } from './key-cursor';
import { KeysService } from './keys.service';
import { RequiresRole } from './requires-role.decorator';

const DEFAULT_PAGE_SIZE = 100;
const SCOPE = "A tenant admin sees and manages only its tenant's keys; other keys answer 404 KEY.NOT_FOUND.";

@ApiTags('keys')
@Controller('api/v1/keys')
@UseInterceptors(DrainInterceptor)
@RequiresRole('admin')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Post()
  @ApiOperation({
    summary: 'Create an API key (the key is shown once)',
    description:
      'The answer holds the key itself in `key`; only a hash of it is stored, so it cannot be shown again. ' +
      'A tenant admin creates keys of its own tenant only; a platform admin names the tenant, or "*" for a platform key. ' +
      "The role may not be above the caller's.",
  })
  @ApiCreatedResponse({ type: CreatedKeyResponseDto })
  @ApiResponse({ status: HttpStatus.CONFLICT, description: 'KEY.ALREADY_EXISTS: the name is taken in this scope', type: ErrorResponseDto })
  @ApiErrors(400, 413, 415, 503)
  async create(@Caller() caller: Principal, @Body() body: CreateKeyDto): Promise<CreatedKeyResponseDto> {
    const { record, token } = await this.keys.create(caller, {
      name: body.name,
      tenant: body.tenant,
      role: body.role as Role,
      expiresAt: body.expires_at === undefined ? undefined : new Date(body.expires_at),
    });
    return CreatedKeyResponseDto.withKey(record, token);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys, oldest first, with cursor pagination (never their secrets)', description: SCOPE })
  @ApiOkResponse({ type: KeyListResponseDto })
  @ApiErrors(400, 503)
  async list(@Caller() caller: Principal, @Query() query: ListKeysQueryDto): Promise<KeyListResponseDto> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.keys.list(caller, {
      tenant: query.tenant,
      after: query.cursor === undefined ? undefined : decodeKeyCursor(query.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return {
      keys: page.map((row) => KeyResponseDto.from(row)),
      count: page.length,
      next_cursor: rows.length > limit ? encodeKeyCursor(page[page.length - 1]) : null,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One API key (never its secret)', description: SCOPE })
  @ApiOkResponse({ type: KeyResponseDto })
  @ApiErrors(400, 404, 503)
  async getOne(@Caller() caller: Principal, @Param() params: KeyIdParamDto): Promise<KeyResponseDto> {
    return KeyResponseDto.from(await this.keys.get(caller, params.id));
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Revoke an API key (idempotent)',
    description:
      'Sets revoked_at; every API instance refuses the key within a few seconds (at once while Redis is up). ' +
      `Revoking a revoked key answers it unchanged. ${SCOPE}`,
  })
  @ApiOkResponse({ type: KeyResponseDto, description: 'The key, with revoked_at set' })
  @ApiErrors(400, 404, 503)
  async revoke(@Caller() caller: Principal, @Param() params: KeyIdParamDto): Promise<KeyResponseDto> {
    return KeyResponseDto.from(await this.keys.revoke(caller, params.id));
  }
}
