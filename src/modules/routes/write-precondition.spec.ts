import { expectedRevisionProblem, MAX_REVISION, preconditionOf } from './write-precondition';

describe('conditional route writes (preconditionOf)', () => {
  it('should ask for nothing when no precondition is sent', () => {
    expect(preconditionOf({}, undefined)).toEqual({});
  });

  it.each([
    ['one strong tag', '"3"', [3]],
    ['a list of strong tags', '"3", "7" ,"12"', [3, 7, 12]],
    ['a list with empty elements and tabs', ' ,\t"3",, ', [3]],
    ['the largest revision', `"${MAX_REVISION}"`, [MAX_REVISION]],
    ['revision 0 (matches no route: revisions start at 1)', '"0"', [0]],
  ])('should take If-Match with %s as those revisions', (_name, header, revisions) => {
    expect(preconditionOf({ 'if-match': header }, undefined)).toEqual({ precondition: { kind: 'revisions', revisions } });
  });

  it.each([
    ['a weak tag (strong comparison never matches it)', 'W/"3"', []],
    ['a tag that names no revision', '"abc"', []],
    ['a revision beyond the column', `"${MAX_REVISION + 1}"`, []],
    ['a signed number', '"+3"', []],
    ['weak and strong tags', 'W/"3", "4"', [4]],
  ])('should keep only strong revisions of If-Match with %s', (_name, header, revisions) => {
    expect(preconditionOf({ 'if-match': header }, undefined)).toEqual({ precondition: { kind: 'revisions', revisions } });
  });

  it('should take If-Match: * as "the route must exist"', () => {
    expect(preconditionOf({ 'if-match': ' * ' }, undefined)).toEqual({ precondition: { kind: 'exists' } });
  });

  it('should take If-None-Match: * as "the route must not exist yet"', () => {
    expect(preconditionOf({ 'if-none-match': '*' }, undefined)).toEqual({ precondition: { kind: 'absent' } });
  });

  it.each([
    [0, { kind: 'absent' }],
    [1, { kind: 'revisions', revisions: [1] }],
    [MAX_REVISION, { kind: 'revisions', revisions: [MAX_REVISION] }],
  ])('should take expected_revision %d as %j', (expected, precondition) => {
    expect(preconditionOf({}, expected)).toEqual({ precondition });
  });

  it.each([
    ['an empty value', ''],
    ['an unquoted revision', '3'],
    ['a lower-case weak prefix', 'w/"3"'],
    ['two tags without a comma', '"1" "2"'],
    ['a star in a list', '*, "3"'],
    ['an unterminated tag', '"3'],
  ])('should refuse If-Match with %s, naming the header', (_name, header) => {
    expect(preconditionOf({ 'if-match': header }, undefined)).toEqual({
      problems: [{ field: 'If-Match', problem: expect.stringContaining('entity tags') }],
    });
  });

  it.each([['"3"'], ['W/"3"'], [''], ['*, *']])('should refuse If-None-Match %j on a write: only * means something there', (header) => {
    expect(preconditionOf({ 'if-none-match': header }, undefined)).toEqual({
      problems: [{ field: 'If-None-Match', problem: expect.stringContaining('"*"') }],
    });
  });

  it.each([
    [{ 'if-match': '"3"', 'if-none-match': '*' }, undefined, ['If-None-Match']],
    [{ 'if-match': '"3"' }, 3, ['expected_revision']],
    [{ 'if-none-match': '*' }, 0, ['expected_revision']],
    [{ 'if-match': '*', 'if-none-match': '*' }, 2, ['If-None-Match', 'expected_revision']],
  ])('should refuse more than one precondition at once (%j with %s), naming each extra one', (headers, expected, fields) => {
    const result = preconditionOf(headers, expected);
    expect(result.problems?.map((p) => p.field)).toEqual(fields);
    expect(result.problems?.[0].problem).toMatch(/cannot be sent with .*: send one precondition/);
  });

  it.each([[0], [1], [MAX_REVISION], [undefined]])('should accept expected_revision %s', (value) => {
    expect(expectedRevisionProblem(value)).toBeNull();
  });

  it.each([[-1], [1.5], [MAX_REVISION + 1], ['3'], [null], [true], [[3]], [{}], [Number.NaN], [Infinity]])(
    'should refuse expected_revision %j',
    (value) => {
      expect(expectedRevisionProblem(value)).toBe(`must be a whole number from 0 to ${MAX_REVISION}`);
    },
  );
});
