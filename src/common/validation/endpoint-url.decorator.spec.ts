import { isAbsoluteHttpUrl } from './endpoint-url.decorator';

describe(isAbsoluteHttpUrl.name, () => {
  it.each(['https://a.example.com', 'http://10.0.0.1:8080/path?q=1', 'https://svc.internal:443'])('should accept %s', (url) => {
    expect(isAbsoluteHttpUrl(url)).toBe(true);
  });

  it.each(['javascript:alert(1)', 'ftp://a.example.com', '/relative', 'https://', 'https://a .example.com', '', 42, null])(
    'should reject %p',
    (url) => {
      expect(isAbsoluteHttpUrl(url)).toBe(false);
    },
  );
});
