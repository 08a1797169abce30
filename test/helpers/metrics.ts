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
