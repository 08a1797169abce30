import { ErrorDetail } from '../../common/errors/domain.error';

// The `wait` preference of a conditional resolve (RFC 7240 §4.3, `Prefer: wait=30`): how long the
// client is willing to wait for the route to change. Below the 60 s idle timeout of common load
// balancers (AWS ALB, nginx), which would otherwise cut a held request that has sent nothing yet.
export const MAX_WAIT_SECONDS = 50;
const PROBLEM: ErrorDetail = { field: 'Prefer', problem: `wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}` };
const SECONDS = /^[0-9]{1,3}$/;

export type PreferWaitResult = { seconds: number; problem?: undefined } | { seconds?: undefined; problem: ErrorDetail };

// Seconds asked for (0 when the header has no `wait`). Prefer is a list that other software may use
// for other preferences (return=minimal, respond-async…), which are left alone; only a malformed or
// too long `wait` is refused. The first `wait` counts, as RFC 7240 §2 says for repeated preferences.
export function parsePreferWait(value: string | string[] | undefined): PreferWaitResult {
  if (value === undefined) return { seconds: 0 };
  for (const preference of (Array.isArray(value) ? value.join(',') : value).split(',')) {
    const [nameValue] = preference.split(';');
    const at = nameValue.indexOf('=');
    const name = (at < 0 ? nameValue : nameValue.slice(0, at)).trim().toLowerCase();
    if (name !== 'wait') continue;
    const raw = at < 0 ? '' : unquote(nameValue.slice(at + 1).trim());
    if (!SECONDS.test(raw)) return { problem: PROBLEM };
    const seconds = Number(raw);
    return seconds <= MAX_WAIT_SECONDS ? { seconds } : { problem: PROBLEM };
  }
  return { seconds: 0 };
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
