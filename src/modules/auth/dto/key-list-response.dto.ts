import { ApiProperty } from '@nestjs/swagger';
import { KeyResponseDto } from './key-response.dto';

export class KeyListResponseDto {
  @ApiProperty({ type: [KeyResponseDto] })
  keys: KeyResponseDto[];

  @ApiProperty({ example: 2, description: 'Number of keys in this page' })
  count: number;

  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` to get the next page; null on the last page' })
  next_cursor: string | null;
}
