// Hostile link hashes for the front end's checks in every engine: markup, script, huge values,
// malformed encodings, prototype pollution. Each must render inert with a clear message.
const b64 = (/** @type {string} */ text) => Buffer.from(text).toString("base64url");
/** Each: a name, the hash, and the message the page must show. @type {[string, string, RegExp][]} */
export const HOSTILE = [
  ["script in a value", "view=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E", /not one of the allowed values/],
  [
    "HTML in token names",
    "vocab=%3Cimg%20src%3Dx%20onerror%3D%22window.__pwned%3D1%22%3E,%3Csvg%20onload%3Dalert(1)%3E,c,d,e,f,g,h",
    /shortened/,
  ],
  ['raw < > " in the hash', 'eps="><script>alert(1)</script>', /not a number/],
  ["huge numbers", "eps=1e999&ii=99999999999999999999&logits=1e400,2;3,4", /clamped/],
  ["huge array", "logits=" + "1,".repeat(20000) + "1", /too many values/],
  ["hash over the size cap", "labels=" + "1".repeat(70000), /too long/],
  ["malformed percent-encoding", "eps=%E0%A4%A&labels=%FF,%", /percent-encoding/],
  ["malformed base64", "s=!!!not-base64!!!", /base64/],
  ["malformed JSON", `s=${b64('{"eps": ')}`, /JSON/],
  [
    "prototype pollution",
    `s=${b64('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}, "eps": "<b>x</b>"}')}`,
    /Unknown setting/,
  ],
  ["unknown keys", "foo=1&__proto__[polluted]=1&constructor=2", /Unknown setting/],
  ["bad shapes", "logits=1,2;3&vocab=a", /rows of different lengths/],
  ["javascript: URL text", "javascript:alert(document.domain)", /Unknown setting/],
];
