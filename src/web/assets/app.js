// Progressive enhancement for Tribune pages. Every page works without this script; with it, registering
// and signing in from an article page happen in place: no reload, and the masthead shows the reader at once.
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // The masthead's reader area, as the server renders it for a signed-in reader.
  function showSignedIn(account, csrfToken) {
    var reader = document.getElementById("reader");
    if (reader) {
      reader.setAttribute("data-state", "signed-in");
      reader.textContent = "";
      reader.appendChild(el("a", { "class": "reader__name", href: "/account" }, account.display_name));
      var form = el("form", { "class": "reader__signout", method: "post", action: "/signout" });
      form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrfToken }));
      form.appendChild(el("button", { "class": "reader__link", type: "submit" }, "Sign out"));
      reader.appendChild(form);
    }
    var join = document.getElementById("join");
    if (join) {
      join.className = "join join--signed-in";
      join.textContent = "";
      var p = el("p", { "class": "join__lead" }, "Signed in as ");
      p.appendChild(el("strong", {}, account.display_name));
      p.appendChild(document.createTextNode(". Commenting opens here soon."));
      join.appendChild(p);
    }
    document.dispatchEvent(new CustomEvent("tribune:signed-in", { detail: { account: account, csrfToken: csrfToken } }));
  }

  function enhanceAccountForm(form) {
    var errorBox = form.querySelector(".form__error");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = {};
      ["email", "password", "display_name"].forEach(function (name) {
        if (form.elements[name]) data[name] = form.elements[name].value;
      });
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.getAttribute("data-api"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(data)
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (result.ok) {
          showSignedIn(result.body.account, result.body.csrf_token);
          return;
        }
        var message = result.body && result.body.error ? result.body.error.message : "Something went wrong.";
        if (errorBox) { errorBox.textContent = message; errorBox.hidden = false; }
        var field = result.body && result.body.error && result.body.error.field;
        if (field && form.elements[field]) form.elements[field].focus();
      }).catch(function () {
        // Network trouble: fall back to the plain form post, which works without this script.
        form.submit();
      }).finally(function () {
        if (button) button.disabled = false;
      });
    });
  }

  document.querySelectorAll("form[data-api]").forEach(enhanceAccountForm);
})();
