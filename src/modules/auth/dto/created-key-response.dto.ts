import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyRecord } from '../api-keys.repository';
import { KeyResponseDto } from './key-response.dto';

export class CreatedKeyResponseDto extends KeyResponseDto {
  @ApiProperty({
    example: 'tm_0b6f3c525d0c4f8e9a510d9a4d8f6a2e_q3xv0mB2yJ8h1P9kq6fN4TtZs7wLr5cAeUdGiHoKpXy',
    description: 'The key itself. Shown only in this answer: store it now; only a hash of it is kept',
  })
  key: string;

  static withKey(record: ApiKeyRecord, key: string): CreatedKeyResponseDto {
    return { ...KeyResponseDto.from(record), key };
  }
}
