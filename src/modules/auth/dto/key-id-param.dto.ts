import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class KeyIdParamDto {
  @ApiProperty({ example: '0b6f3c52-5d0c-4f8e-9a51-0d9a4d8f6a2e', format: 'uuid' })
  @IsUUID('all', { message: 'must be a key id (a UUID)' })
  id: string;
}
