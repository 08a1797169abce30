import { IfNoneMatch, notModified, parseIfNoneMatch, revisionTag } from './conditional';

describe('conditional resolve (If-None-Match)', () => {
  const parsed = (value: string): IfNoneMatch => {
    const result = parseIfNoneMatch(value);
    if (!result.condition) throw new Error(`refused: ${value}`);
    return result.condition;
  };

  it('should tag a revision weakly', () => {
    expect(revisionTag(3)).toBe('W/"3"');
  });

  it.each([
    ['the tag it was given', 'W/"3"'],
    ['the strong form of it (weak comparison)', '"3"'],
    ['one of a list', '"1", W/"2" ,W/"3"'],
    ['a list with empty elements and tabs', ' ,\tW/"9",, W/"3" , '],
    ['any representation', '*'],
    ['any representation with whitespace', '  * '],
  ])('should find revision 3 not modified for %s', (_name, header) => {
    expect(notModified(parsed(header), 3)).toBe(true);
  });

  it.each([
    ['another revision', 'W/"4"'],
    ['a prefix of a longer revision', 'W/"33"'],
    ['a tag without the revision', '"abc"'],
    ['an empty opaque tag', '""'],
    ['a tag containing a comma', '"3,4"'],
  ])('should find revision 3 modified for %s', (_name, header) => {
    expect(notModified(parsed(header), 3)).toBe(false);
  });

  it.each([
    ['an empty value', ''],
    ['only commas', ' , ,'],
    ['an unquoted tag', '3'],
    ['a lower-case weak prefix', 'w/"3"'],
    ['an unterminated tag', 'W/"3'],
    ['two tags without a comma', '"1" "2"'],
    ['a star in a list', '*, "3"'],
    ['a quote inside a tag', '"a"b"'],
    ['a space inside a tag', '"a b"'],
    ['text after a tag', '"3"x'],
  ])('should refuse %s, naming the header', (_name, header) => {
    expect(parseIfNoneMatch(header)).toEqual({ problem: { field: 'If-None-Match', problem: expect.stringContaining('entity tags') } });
  });
});
