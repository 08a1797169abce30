import { endpointUrlProblem, URL_PROBLEM } from './endpoint-url';

describe(endpointUrlProblem.name, () => {
  it.each([
    'https://a.example.com',
    'http://10.0.0.1:8080/path?q=1',
    'https://svc.internal:443',
    'https://svc_1.internal/a/b;c=d?x=1&y=%20#top',
    'http://[::1]:8080/',
    'https://xn--bcher-kva.example/',
    'https://bücher.example/',
    'https://a.example.com/%E2%82%AC?',
  ])('should accept %s as it is', (url) => {
    expect(endpointUrlProblem(url)).toBeNull();
  });

  it.each([
    ['javascript:alert(1)', URL_PROBLEM.notHttp],
    ['ftp://a.example.com', URL_PROBLEM.notHttp],
    ['/relative', URL_PROBLEM.notHttp],
    ['', URL_PROBLEM.notHttp],
    ['https://', URL_PROBLEM.noHost],
    ['http:///evil.example.com/x', URL_PROBLEM.noHost],
    ['http:evil.example.com', URL_PROBLEM.scheme],
    ['HTTPS://a.example.com', URL_PROBLEM.scheme],
    ['http:/\\evil.example.com', URL_PROBLEM.backslash],
    ['http://good.example.com\\@evil.example.com/', URL_PROBLEM.backslash],
    ['https://user:secret@a.example.com', URL_PROBLEM.credentials],
    ['https://@a.example.com', URL_PROBLEM.credentials],
    ['http://a.example.com/x\u0000y', URL_PROBLEM.control],
    ['http://a.example.com/x\u001fy', URL_PROBLEM.control],
    ['http://a.example.com/\u007f', URL_PROBLEM.control],
    ['http://a.example.com/\u0085', URL_PROBLEM.control],
    ['https://a .example.com', URL_PROBLEM.control],
    [' https://a.example.com', URL_PROBLEM.control],
    ['https://a.example.com/\u00a0', URL_PROBLEM.control],
    ['http://a.example.com/\u202e', URL_PROBLEM.invisible],
    ['http://a.example.com/\u2067x', URL_PROBLEM.invisible],
    ['http://a\u200b.example.com/', URL_PROBLEM.invisible],
    ['http://a\ufeff.example.com/', URL_PROBLEM.invisible],
    ['http://a.example.com/\ud800', URL_PROBLEM.surrogate],
    ['http://a.example.com/\udc00x', URL_PROBLEM.surrogate],
    ['https://A.example.com', URL_PROBLEM.host],
    ['https://Bücher.example', URL_PROBLEM.host],
    ['https://faß.de', URL_PROBLEM.host],
    ['https://xn--a.example', URL_PROBLEM.host],
    ['https://a..example.com', URL_PROBLEM.host],
    ['https://a.example.com.', URL_PROBLEM.host],
    ['https://-a.example.com', URL_PROBLEM.host],
    ['https://%61.example.com', URL_PROBLEM.host],
    ['http://127.1/', URL_PROBLEM.canonical],
    ['http://0x7f.0.0.1/', URL_PROBLEM.canonical],
    ['http://[0:0:0:0:0:0:0:1]/', URL_PROBLEM.canonical],
    ["http://a.example.com/?q='x'", URL_PROBLEM.canonical],
    ['https://a.example.com:0443', URL_PROBLEM.port],
    ['https://a.example.com:', URL_PROBLEM.port],
    ['https://a.example.com:65536', URL_PROBLEM.port],
    ['https://a.example.com/a/../b', URL_PROBLEM.dotSegment],
    ['https://a.example.com/%2E%2e/b', URL_PROBLEM.dotSegment],
    ['https://a.example.com/.', URL_PROBLEM.dotSegment],
    ['https://a.example.com/é', URL_PROBLEM.encoding],
    ['https://a.example.com/{x}', URL_PROBLEM.encoding],
    ['https://a.example.com/x|y', URL_PROBLEM.encoding],
    ['https://a.example.com/%zz', URL_PROBLEM.encoding],
    ['https://a.example.com/#a#b', URL_PROBLEM.encoding],
  ])('should refuse %j: %s', (url, problem) => {
    expect(endpointUrlProblem(url)).toBe(problem);
  });
});
