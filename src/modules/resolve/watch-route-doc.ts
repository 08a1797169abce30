import { OperationObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CORRELATION_HEADER_DOC } from '../../common/http/api-errors.decorator';
import { errorResponse } from '../../common/http/error-responses';
import { nameParam } from './resolve-route-doc';

const filterParam = (name: string, example: string, description: string) => nameParam(name, example, description, false);

// The OpenAPI description of GET /api/v1/routes/watch, a plain Fastify route (watch-route.ts).
// Security and the errors every /api/v1 operation shares are added by the document policy.
export const WATCH_OPERATION: OperationObject = {
  tags: ['resolve'],
  summary: 'Watch route changes as a server-sent event stream',
  description:
    'text/event-stream. Each change is an event `route` whose data is the route as it is now (tenant, service, env, version, url, ' +
    'is_active, revision, updated_at) and whose id is its change time in milliseconds; a route changed several times quickly may be ' +
    'sent once, at its latest revision. After a resume replay (if any) comes an event `ready`: list the routes after it (GET ' +
    '/api/v1/routes) and apply each event whose revision is newer than the one you hold. Reconnect with Last-Event-ID (EventSource ' +
    'does) to resume: every route of the filter changed since 60 s before that id is sent again. `reset` (more than 10,000 to ' +
    'replay): list again. The stream ends when the instance drains or loses its change channel; reconnect. A comment line every 15 s ' +
    'keeps it open through proxies.',
  operationId: 'WatchRoute_watch',
  parameters: [
    filterParam('tenant', 'team-a', "Only this tenant's routes (a tenant key sees only its own tenant; another tenant matches nothing)"),
    filterParam('service', 'payments', 'Only this service'),
    filterParam('env', 'prod', 'Only this environment'),
    { ...CORRELATION_HEADER_DOC, in: 'header', schema: { type: 'string' } },
    {
      name: 'Last-Event-ID',
      in: 'header',
      required: false,
      description: 'Resume after this event id (milliseconds); replays the routes changed since 60 s before it',
      schema: { type: 'string', pattern: '^\\d{1,15}$', example: '1764770520123' },
    },
  ],
  responses: {
    200: {
      description: 'The stream',
      content: {
        'text/event-stream': {
          schema: { type: 'string' },
          example:
            'retry: 2000\n\nid: 1764770520123\nevent: ready\ndata: {"resumed":false,"replayed":0}\n\n' +
            'id: 1764770521456\nevent: route\ndata: {"tenant":"team-a","service":"payments","env":"prod","version":"v2",' +
            '"url":"https://payments-v2.internal.example.com","is_active":true,"revision":3,"updated_at":"2026-12-03T14:02:01.456Z"}\n\n',
        },
      },
    },
    400: errorResponse(400),
    503: errorResponse(503),
  },
};
