import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { errorDoc, ErrorStatus } from './error-responses';

export const CORRELATION_HEADER_DOC = {
  name: 'X-Correlation-ID',
  required: false,
  description: 'Echoed on every response; generated when absent or not 1-128 chars of [A-Za-z0-9._-]',
};

// The errors an operation's own input can cause. 401, 403 and 429 (every /api/v1 operation) and the
// 503 of a shutting-down instance are added for all operations by the document policy (openapi-policy.ts).
export function ApiErrors(...statuses: ErrorStatus[]) {
  return applyDecorators(
    ApiHeader(CORRELATION_HEADER_DOC),
    ...statuses.map((status) => {
      const { description, example, headers } = errorDoc(status);
      return ApiResponse({ status, description, type: ErrorResponseDto, example, ...(headers ? { headers } : {}) });
    }),
  );
}
