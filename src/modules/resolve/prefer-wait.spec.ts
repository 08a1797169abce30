import { MAX_WAIT_SECONDS, parsePreferWait } from './prefer-wait';

describe('long-poll preference (Prefer: wait)', () => {
  it.each([
    [undefined, 0],
    ['wait=30', 30],
    ['WAIT=5', 5],
    [' wait = 7 ', 7],
    ['wait="12"', 12],
    ['return=minimal, wait=10', 10],
    ['respond-async; foo=bar, wait=3; x=y', 3],
    ['wait=0', 0],
    [`wait=${MAX_WAIT_SECONDS}`, MAX_WAIT_SECONDS],
    ['wait=4, wait=9', 4],
    ['return=minimal', 0],
    ['waiting=5', 0],
    [['return=minimal', 'wait=8'], 8],
  ])('should read %j as %d seconds', (header, seconds) => {
    expect(parsePreferWait(header)).toEqual({ seconds });
  });

  it.each([['wait'], ['wait='], ['wait=-1'], ['wait=1.5'], ['wait=abc'], ['wait=1000'], [`wait=${MAX_WAIT_SECONDS + 1}`], ['wait="5'], ['wait=5s']])(
    'should refuse %j, naming the header',
    (header) => {
      expect(parsePreferWait(header)).toEqual({
        problem: { field: 'Prefer', problem: `wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}` },
      });
    },
  );
});
