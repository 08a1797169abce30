import { Injectable } from '@nestjs/common';
import { EVENT_HEADERS, RouteEventDraft } from '../../contracts/route-event';
import { routeKeyString } from '../../contracts/route-key';

// The values of one outbox row, as parameters of the statement that inserts it.
export interface OutboxRowValues {
  messageKey: string;
  // JSON text of the event's request-side fields (jsonb parameter).
  payload: string;
  // JSON text of the Kafka headers (jsonb parameter).
  headers: string;
}

// Owns the outbox row format: message key, payload and headers. The issue asked for
// `append(tx, event)`, but a route change and its outbox row are written by one statement
// (tm_apply_route_change, one round trip and one transaction), so there is no transaction object to
// append to. Instead `row(event)` returns the row's values and the route repository passes them to
// that statement; the function adds the payload fields that depend on the locked row.
@Injectable()
export class OutboxWriter {
  row(event: RouteEventDraft): OutboxRowValues {
    return {
      // Per-route order: every event of a route goes to one partition.
      messageKey: routeKeyString(event),
      payload: JSON.stringify(event),
      headers: JSON.stringify({
        [EVENT_HEADERS.correlationId]: event.correlation_id ?? '',
        [EVENT_HEADERS.eventType]: event.event_type,
      }),
    };
  }
}
