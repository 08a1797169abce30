import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'VALIDATION.FAILED (with details), REQUEST.MALFORMED_JSON or REQUEST.INVALID',
  404: 'ROUTE.NOT_FOUND',
  413: 'REQUEST.TOO_LARGE: body over 16 KiB',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE: body is not application/json',
  503: 'DEPENDENCY.UNAVAILABLE: a store is down; retry after Retry-After',
};

export function ApiErrors(...statuses: number[]) {
  return applyDecorators(
    ApiHeader({
      name: 'X-Correlation-ID',
      required: false,
      description: 'Echoed on every response; generated when absent or not 1-128 chars of [A-Za-z0-9._-]',
    }),
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorResponseDto })),
  );
}
