// Writes (or, with an empty token, deletes) the dashboard's session cookie. The page adds this
// file as <script src> with the cookie's name, token and lifetime in data attributes: a script
// from the site itself, which a Content-Security-Policy of `script-src 'self'` lets run, where a
// line of inline script would be blocked. The values are checked before they are written.
(function () {
  var tag = document.currentScript;
  if (!tag) return;
  var name = tag.dataset.name || "";
  var token = tag.dataset.token || "";
  var age = token ? parseInt(tag.dataset.age, 10) : 0;
  if (!/^[a-z_]+$/.test(name) || !/^([A-Za-z0-9_-]{43})?$/.test(token) || !(age >= 0)) return;
  document.cookie = name + "=" + token + "; Path=/; Max-Age=" + age + "; SameSite=Strict" +
    (location.protocol === "https:" ? "; Secure" : "");
})();
