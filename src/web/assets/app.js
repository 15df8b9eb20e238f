// Progressive enhancement for Tribune pages. Pages are cached and identical for every reader; this script
// fills in the per-reader parts (who is signed in) from the small /api/v1/me response.
(function () {
  "use strict";
  var reader = document.getElementById("reader");
  if (!reader || reader.getAttribute("data-state") !== "anonymous") return;
  if (document.cookie.indexOf("tribune_signed_in=1") === -1) return;
  fetch("/api/v1/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (me) {
      if (!me || !me.account) return;
      reader.setAttribute("data-state", "signed-in");
      reader.textContent = "";
      var name = document.createElement("span");
      name.className = "reader__name";
      name.textContent = me.account.display_name;
      reader.appendChild(name);
    })
    .catch(function () { /* offline or server error: the page stays usable as anonymous */ });
})();
