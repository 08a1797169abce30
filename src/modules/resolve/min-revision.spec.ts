import { parseMinRevision } from './min-revision';

describe('X-Min-Revision', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    [' 42 ', 42],
    ['2147483647', 2_147_483_647],
  ])('should read %j as revision %d', (header, revision) => {
    expect(parseMinRevision(header)).toEqual({ revision });
  });

  it.each([[''], ['-1'], ['+3'], ['1.0'], ['1e3'], ['0x10'], ['three'], ['3, 4'], ['2147483648'], ['99999999999']])(
    'should refuse %j, naming the header',
    (header) => {
      expect(parseMinRevision(header)).toEqual({ problem: { field: 'X-Min-Revision', problem: 'must be a whole number from 0 to 2147483647' } });
    },
  );

  it('should refuse a header sent as several values', () => {
    expect(parseMinRevision(['1', '2']).problem).toBeDefined();
  });
});
