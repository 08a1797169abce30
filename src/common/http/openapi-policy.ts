import { STATUS_CODES } from 'http';
import { OpenAPIObject } from '@nestjs/swagger';
import { OperationObject, PathItemObject, SecurityRequirementObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { errorResponse, ErrorStatus, EXAMPLE_CORRELATION_ID, Narrower } from './error-responses';

export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

// Every /api/v1 operation needs an API key, in either header; the probes under /health are open, and
// /metrics describes its own configurable access (openapi-extras.ts). The rule is by path, so an
// operation added later cannot be documented as open by forgetting a decorator; the e2e spec
// test/contract/openapi.e2e-spec.ts checks it against what the guard does (docs/design.md).
const AUTHENTICATED_PATH = /^\/api\/v1\//;
const eitherKey = (): SecurityRequirementObject[] => [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }];
const KEYED_ERRORS: ErrorStatus[] = [401, 403, 429];

// What any request can be answered, whatever its operation: the hooks of http-setup.ts run first.
const ANY_REQUEST: Array<[ErrorStatus, Narrower]> = [
  [
    400,
    {
      description: 'REQUEST.INVALID: a malformed request (an HTTP/1.1 request without Host, an undecodable URL)',
      example: { error: 'REQUEST.INVALID', message: 'The Host header is required in HTTP/1.1', correlation_id: EXAMPLE_CORRELATION_ID },
    },
  ],
  [
    503,
    {
      description: 'SERVER.SHUTTING_DOWN: this instance is stopping; retry after Retry-After (another instance takes it)',
      example: {
        error: 'SERVER.SHUTTING_DOWN',
        message: 'This instance is shutting down; retry the request',
        correlation_id: EXAMPLE_CORRELATION_ID,
      },
    },
  ],
];

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

function operationsOf(item: PathItemObject): OperationObject[] {
  return METHODS.map((method) => item[method]).filter((operation): operation is OperationObject => operation !== undefined);
}

function addResponse(operation: OperationObject, status: ErrorStatus, narrower?: Narrower): void {
  operation.responses[status] ??= errorResponse(status, narrower);
}

// Responses in status order, as a reader (and a diff) expects them. Nest leaves a description empty
// unless its decorator gives one; OpenAPI requires one, so the status' reason phrase stands in.
function tidyResponses(operation: OperationObject): void {
  const entries = Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b));
  for (const [status, response] of entries) {
    if (response && 'description' in response && !response.description) response.description = STATUS_CODES[status] ?? status;
  }
  operation.responses = Object.fromEntries(entries);
}

// Security per operation and the errors every operation shares, applied to the whole document.
export function applyApiPolicy(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of operationsOf(item)) {
      if (AUTHENTICATED_PATH.test(path)) {
        operation.security = eitherKey();
        for (const status of KEYED_ERRORS) addResponse(operation, status);
      } else {
        operation.security ??= [];
      }
      for (const [status, narrower] of ANY_REQUEST) addResponse(operation, status, narrower);
      tidyResponses(operation);
    }
  }
  return document;
}
