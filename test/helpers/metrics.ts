import { HttpClient } from './http';

// The value of one sample of a Prometheus text exposition (0 when absent), e.g.
// metricValue(text, 'consumer_events_processed_total', { group: 'audit_log' }).
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((pair) => line.includes(pair))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

export async function scrape(http: HttpClient, name: string, labels: Record<string, string> = {}): Promise<number> {
  return metricValue((await http.get('/metrics')).text, name, labels);
}

// Until a consumer group has handled events and its lag is 0 on every partition it reports.
export async function caughtUp(http: HttpClient, group: string): Promise<boolean> {
  const text = (await http.get('/metrics')).text;
  const lags = text.split('\n').filter((l) => l.startsWith('consumer_group_lag{') && l.includes(`group="${group}"`));
  const processed = metricValue(text, 'consumer_events_processed_total', { group }) + metricValue(text, 'consumer_events_duplicate_total', { group });
  return processed > 0 && lags.length > 0 && lags.every((l) => Number(l.slice(l.lastIndexOf(' ') + 1)) === 0);
}
