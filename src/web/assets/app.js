// Progressive enhancement for Tribune pages. Every page works without this script; with it, registering
// and signing in from an article page happen in place: no reload, and the masthead shows the reader at once.
(function () {
  "use strict";
  // Styles meant for pages without JavaScript (readers/ignored.css) step aside.
  document.documentElement.classList.add("js");

  // Inside another site's frame (docs/embed.md): this page's requests say so, so that the session cookie
  // comes back partitioned (the browser refuses a third-party one); the frame tells the embedding page its
  // height and takes its colour scheme, both only with that page's origin.
  var embedOrigin = document.documentElement.getAttribute("data-embed-origin");
  if (embedOrigin && window.parent !== window) {
    var nativeFetch = window.fetch.bind(window);
    window.fetch = function (url, options) {
      options = options || {};
      var headers = new Headers(options.headers || {});
      headers.set("X-Tribune-Embed", "1");
      options.headers = headers;
      return nativeFetch(url, options);
    };
    var lastHeight = 0;
    var tell = function () {
      // The content's own height (the document's would never fall below the frame's).
      var height = Math.ceil(document.body.getBoundingClientRect().bottom + window.scrollY);
      if (height === lastHeight) return;
      lastHeight = height;
      window.parent.postMessage({ tribune: 1, type: "height", height: height }, embedOrigin);
    };
    if (window.ResizeObserver) new ResizeObserver(tell).observe(document.body || document.documentElement);
    window.addEventListener("load", tell);
    document.addEventListener("DOMContentLoaded", tell);
    window.addEventListener("message", function (e) {
      if (e.origin !== embedOrigin || e.source !== window.parent || !e.data || e.data.tribune !== 1) return;
      if (e.data.type === "scheme" && (e.data.scheme === "dark" || e.data.scheme === "light")) {
        document.documentElement.classList.remove("embed--dark", "embed--light");
        document.documentElement.classList.add("embed--" + e.data.scheme);
      }
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // What just happened, said politely to screen readers (registered, posted); the page shows it already.
  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) {
      region = el("div", { id: "announcer", "class": "visually-hidden", role: "status", "aria-live": "polite" });
      document.body.appendChild(region);
    }
    region.textContent = "";
    setTimeout(function () { region.textContent = text; }, 50);
  }

  // The masthead's reader area, as the server renders it for a signed-in reader.
  function showSignedIn(account, csrfToken) {
    var reader = document.getElementById("reader");
    if (reader) {
      reader.setAttribute("data-state", "signed-in");
      reader.setAttribute("data-account-id", String(account.id));
      reader.textContent = "";
      var bell = el("a", { "class": "reader__link reader__notifications", href: "/notifications" }, "Notifications ");
      bell.appendChild(el("span", { "class": "reader__badge", id: "notification-count", hidden: "" }, "0"));
      bell.appendChild(el("span", { "class": "visually-hidden", id: "notification-words", hidden: "" }, " unread"));
      reader.appendChild(bell);
      reader.appendChild(el("a", { "class": "reader__name", href: "/account" }, account.display_name));
      var form = el("form", { "class": "reader__signout", method: "post", action: "/signout" });
      form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrfToken }));
      form.appendChild(el("input", { type: "hidden", name: "return_to", value: location.pathname + location.search }));
      form.appendChild(el("button", { "class": "reader__link", type: "submit" }, "Sign out"));
      reader.appendChild(form);
    }
    var join = document.getElementById("join");
    if (join) {
      join.className = "join join--signed-in";
      join.textContent = "";
      join.appendChild(commentForm(account, csrfToken, articleSlug()));
    }
    document.dispatchEvent(new CustomEvent("tribune:signed-in", { detail: { account: account, csrfToken: csrfToken } }));
  }

  function articleSlug() {
    var article = document.querySelector("[data-article-slug]");
    return article ? article.getAttribute("data-article-slug") : "";
  }

  // The same form the server renders for a signed-in reader (conversation_signed_in.mustache).
  function commentForm(account, csrfToken, slug) {
    var form = el("form", { "class": "form comment-form", id: "comment-form", method: "post", action: "/comment",
                            "data-api": "/api/v1/articles/" + slug + "/comments" });
    form.appendChild(el("input", { type: "hidden", name: "csrf_token", value: csrfToken }));
    form.appendChild(el("input", { type: "hidden", name: "article", value: slug }));
    form.appendChild(el("input", { type: "hidden", name: "parent_id", value: "" }));
    var label = el("label", { "class": "comment-form__label", "for": "comment-body" }, "Comment as ");
    label.appendChild(el("strong", {}, account.display_name));
    form.appendChild(label);
    form.appendChild(el("textarea", { "class": "comment-form__body", id: "comment-body", name: "body", rows: "4",
                                      maxlength: "20000", required: "", placeholder: "Add to the conversation" }));
    var hint = el("p", { "class": "comment-form__hint" },
                  "Markdown works: *emphasis*, [links](https://example.org), > quotes, lists. Please keep to our ");
    hint.appendChild(el("a", { href: "/community-guidelines" }, "community guidelines"));
    hint.appendChild(document.createTextNode("."));
    form.appendChild(hint);
    form.appendChild(el("p", { "class": "form__error", role: "alert", hidden: "" }));
    form.appendChild(el("button", { "class": "button", type: "submit" }, "Post comment"));
    enhanceCommentForm(form);
    return form;
  }

  // A comment as the server renders it (web/pages.cpp: render_comment). body_html comes from the server's
  // Markdown renderer, which never lets raw HTML or script URLs through; everything else is text.
  function commentElement(c) {
    var li = el("li", { "class": "comment comment--new", id: "comment-" + c.id, "data-comment-id": String(c.id),
                        "data-depth": String(Math.min(c.depth || 0, 5)) });
    if (c.author.id) li.setAttribute("data-author-id", String(c.author.id));
    var box = el("article", { "class": "comment__box" });
    var meta = el("header", { "class": "comment__meta" });
    if (c.author.id) meta.appendChild(el("a", { "class": "comment__author", href: "/readers/" + c.author.id }, c.author.display_name));
    else meta.appendChild(el("span", { "class": "comment__author" }, c.author.display_name));
    meta.appendChild(document.createTextNode(" "));
    var link = el("a", { "class": "comment__time", href: "#comment-" + c.id });
    link.appendChild(el("time", { datetime: c.created_at }, "just now"));
    meta.appendChild(link);
    if (c.status === "pending") {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(el("span", { "class": "comment__pending" }, "Awaiting review: only you can see it until a moderator approves it"));
    }
    box.appendChild(meta);
    var body = el("div", { "class": "comment__body" });
    body.innerHTML = c.body_html;
    box.appendChild(body);
    var actions = el("footer", { "class": "comment__actions" });
    actions.appendChild(el("a", { "class": "comment__reply", href: "/comments/" + c.id + "/reply", "data-reply-to": String(c.id) }, "Reply"));
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(el("button", { "class": "comment__recommend", type: "button", "data-recommend": String(c.id),
                                       "aria-pressed": "false" }, "Recommend"));
    actions.appendChild(document.createTextNode(" "));
    actions.appendChild(el("a", { "class": "comment__options", href: "/comments/" + c.id + "/options" }, "Report or edit"));
    box.appendChild(actions);
    li.appendChild(box);
    return li;
  }

  function insertComment(c) {
    var existing = document.getElementById("comment-" + c.id);
    if (existing) {
      // A held comment of this reader's that a moderator just approved.
      var waiting = c.status === "published" ? existing.querySelector(".comment__pending") : null;
      if (waiting) {
        waiting.remove();
        var shown = document.querySelector(".conversation__number");
        if (shown) shown.textContent = String((parseInt(shown.textContent, 10) || 0) + 1);
      }
      return existing;
    }
    dropPending(c.id);
    var empty = document.getElementById("comments-empty");
    if (empty) empty.remove();
    var node = commentElement(c);
    if (csrfToken()) decorateComment(node);
    var count = document.querySelector(".conversation__number");
    if (c.status === "published" && count) count.textContent = String((parseInt(count.textContent, 10) || 0) + 1);
    if (c.parent_id) {
      var parent = document.getElementById("comment-" + c.parent_id);
      if (parent) {
        // As the server renders it: five levels of indent, then a link to the thread's own page.
        if (Number(parent.getAttribute("data-depth")) >= 5) {
          if (!parent.querySelector(":scope > .comment__continue")) {
            var p = el("p", { "class": "comment__continue" });
            p.appendChild(el("a", { href: "/comments/" + c.parent_id + "#comment-" + c.parent_id }, "Continue this thread"));
            parent.appendChild(p);
          }
          return parent;
        }
        var list = parent.querySelector(":scope > ol.comments--replies");
        if (!list) { list = el("ol", { "class": "comments comments--replies" }); parent.appendChild(list); }
        list.appendChild(node);
        return node;
      }
    }
    var top = document.getElementById("comment-list");
    if (top) {
      // The list's own order: oldest-first pages get new comments at the end.
      var oldestFirst = /[?&]sort=oldest\b/.test(window.location.search);
      top.insertBefore(node, oldestFirst ? null : top.firstChild);
    }
    return node;
  }

  function enhanceCommentForm(form) {
    if (form.getAttribute("data-enhanced")) return;
    form.setAttribute("data-enhanced", "1");
    var errorBox = form.querySelector(".form__error");
    var anyway = null;  // "Post it as it is", offered after a nudge the reader may override
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = form.elements.body.value;
      var parent = form.elements.parent_id.value;
      var payload = { body: body };
      if (parent) payload.parent_id = Number(parent);
      if (anyway && event.submitter === anyway) payload.acknowledge_nudge = true;
      var buttons = Array.prototype.slice.call(form.querySelectorAll("button[type=submit]"));
      buttons.forEach(function (b) { b.disabled = true; });
      posting += 1;  // our own comment's live event may arrive before this answer: do not announce it
      fetch(form.getAttribute("data-api"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
                   "X-CSRF-Token": form.elements.csrf_token.value },
        body: JSON.stringify(payload)
      }).then(function (response) {
        return response.json().then(function (b) { return { ok: response.ok, body: b }; });
      }).then(function (result) {
        var error = result.ok ? null : result.body.error;
        if (anyway && !(error && error.post_anyway)) { anyway.remove(); anyway = null; }
        if (!result.ok) {
          if (errorBox) { errorBox.textContent = error ? error.message : "Not posted."; errorBox.hidden = false; }
          if (error && error.post_anyway && !anyway) {
            anyway = el("button", { "class": "button button--quiet comment-form__anyway", type: "submit",
                                    name: "acknowledge_nudge", value: "1" }, "Post it as it is");
            var submit = form.querySelector("button[type=submit]");
            if (submit) submit.parentNode.insertBefore(anyway, submit.nextSibling);
          }
          return;
        }
        if (errorBox) errorBox.hidden = true;
        form.elements.body.value = "";
        var node = insertComment(result.body.comment);
        if (parent && form.id !== "comment-form") form.remove();
        node.scrollIntoView({ block: "nearest" });
        // Focus goes to what was just posted, and the reader hears what happened to it.
        var posted = document.getElementById("comment-" + result.body.comment.id) || node;
        posted.setAttribute("tabindex", "-1");
        posted.focus({ preventScroll: true });
        announce((parent ? "Your reply is " : "Your comment is ") +
                 (result.body.comment.status === "pending" ? "posted and waits for a moderator." : "posted."));
      }).catch(function () {
        form.submit();
      }).finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        posting -= 1;
        showPending();
      });
    });
  }

  // "Reply" opens a form under the comment, built from the main comment form (which holds the CSRF token).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-reply-to]") : null;
    if (!link) return;
    var main = document.getElementById("comment-form");
    if (!main) return;  // not signed in: the link leads to the reply page, which asks to sign in
    event.preventDefault();
    var id = link.getAttribute("data-reply-to");
    var box = link.closest(".comment__box");
    var existing = box.parentNode.querySelector(":scope > form.comment-form--reply");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var form = main.cloneNode(true);
    form.removeAttribute("id");
    form.removeAttribute("data-enhanced");
    var stray = form.querySelector(".comment-form__anyway");  // the main form's own nudge stays there
    if (stray) stray.remove();
    var strayError = form.querySelector(".form__error");
    if (strayError) strayError.hidden = true;
    form.className = "form comment-form comment-form--reply";
    form.elements.parent_id.value = id;
    var textarea = form.querySelector("textarea");
    textarea.id = "reply-body-" + id;
    textarea.value = "";
    textarea.placeholder = "Reply";
    var label = form.querySelector("label");
    if (label) {
      label.setAttribute("for", textarea.id);
      var first = label.firstChild;
      if (first && first.nodeType === 3) first.textContent = "Reply as ";
    }
    var submit = form.querySelector("button[type=submit]");
    if (submit) submit.textContent = "Post reply";
    // Cancel (or Escape) closes the reply box and puts the reader back on the Reply link.
    var cancel = el("button", { "class": "button button--quiet comment-form__cancel", type: "button" }, "Cancel");
    var close = function () { form.remove(); link.focus(); };
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
    if (submit) submit.parentNode.insertBefore(cancel, submit.nextSibling);
    box.parentNode.insertBefore(form, box.nextSibling);
    enhanceCommentForm(form);
    textarea.focus();
  });

  // Recommend: needs the signed-in reader's CSRF token, which the comment form carries.
  function csrfToken() {
    var form = document.getElementById("comment-form");
    return form && form.elements.csrf_token ? form.elements.csrf_token.value : "";
  }

  function setRecommendCount(button, count) {
    var footer = button.closest(".comment__actions") || button.parentNode;
    var label = footer.querySelector(".comment__recommends");
    if (!label && count > 0) {
      label = el("span", { "class": "comment__recommends" });
      var control = button.closest("form") || button;
      footer.insertBefore(label, control.parentNode === footer ? control : null);
    }
    if (label) label.textContent = count > 0 ? count + (count === 1 ? " recommend" : " recommends") : "";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-recommend]") : null;
    if (!button) return;
    event.preventDefault();  // the no-JS form (a page of its own) is not needed
    var token = csrfToken();
    var id = button.getAttribute("data-recommend");
    if (!token) {  // sign in, then back to this very comment
      window.location.href = "/signin?return_to=" + encodeURIComponent(window.location.pathname + window.location.search + "#comment-" + id);
      return;
    }
    var on = button.getAttribute("aria-pressed") !== "true";
    fetch("/api/v1/comments/" + id + "/reactions/recommend", {
      method: on ? "PUT" : "DELETE",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRF-Token": token }
    }).then(function (response) {
      return response.json().then(function (b) { return { ok: response.ok, body: b }; });
    }).then(function (result) {
      // A refusal is said next to the button, where the reader is looking (not in a tooltip).
      var footer = button.closest(".comment__actions") || button.parentNode;
      var said = footer.querySelector(".comment__refusal");
      if (!result.ok) {
        if (!said) { said = el("span", { "class": "comment__refusal", role: "alert" }); footer.appendChild(said); }
        said.textContent = result.body.error ? result.body.error.message : "That did not work.";
        return;
      }
      if (said) said.remove();
      button.setAttribute("aria-pressed", on ? "true" : "false");
      setRecommendCount(button, result.body.reactions.recommend);
    });
  });

  function myId() {
    var reader = document.getElementById("reader");
    return reader ? reader.getAttribute("data-account-id") || "" : "";
  }
  function isStaff() {
    var reader = document.getElementById("reader");
    return !!(reader && reader.getAttribute("data-staff"));
  }

  // The per-reader part of the conversation (the page itself is the same for everyone): what this reader
  // recommended, whom they follow (a Follow button by each other reader's name), whom they ignore (those
  // comments collapse), and for editors a Pick button.
  var followed = {};
  var ignored = {};
  var banned = {};  // authors a moderator banned from this page: their comments, loaded later too, say so
  function loadMyReactions() {
    if (!csrfToken()) return;
    var items = document.querySelectorAll("#comment-list [data-comment-id]");
    var ids = [], authors = {};
    Array.prototype.forEach.call(items, function (li) {
      if (ids.length < 500) ids.push(li.getAttribute("data-comment-id"));
      var author = li.getAttribute("data-author-id");
      if (author && author !== myId()) authors[author] = true;
    });
    if (!articleSlug()) return;
    fetch("/api/v1/articles/" + articleSlug() + "/comments/mine?ids=" + ids.join(",") + "&authors=" +
          Object.keys(authors).slice(0, 500).join(","), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (mine) {
        if (!mine) return;
        Object.keys(mine.reactions).forEach(function (id) {
          var button = document.querySelector("button[data-recommend='" + id + "']");
          if (button && mine.reactions[id].indexOf("recommend") !== -1) button.setAttribute("aria-pressed", "true");
        });
        (mine.following || []).forEach(function (id) { followed[id] = true; });
        (mine.ignoring || []).forEach(function (id) { ignored[id] = true; });
        Array.prototype.forEach.call(items, decorateComment);
        (mine.held || []).forEach(insertComment);
      });
  }

  function decorateComment(li) {
    var author = li.getAttribute("data-author-id");
    var meta = li.querySelector(":scope > .comment__box > .comment__meta");
    if (!meta || li.getAttribute("data-decorated")) return;
    li.setAttribute("data-decorated", "1");
    var link = meta.querySelector(".comment__follow-link");  // the page's way without JavaScript
    if (link) link.remove();
    if (author && author !== myId()) {
      var follow = el("button", { "class": "comment__follow", type: "button", "data-follow": author,
                                  "aria-pressed": followed[author] ? "true" : "false" },
                      followed[author] ? "Following" : "Follow");
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(follow);
      if (ignored[author]) collapse(li);
    }
    if (isStaff()) {
      var picked = !!meta.querySelector(".comment__pick");
      var actions = li.querySelector(":scope > .comment__box > .comment__actions");
      if (actions) {
        actions.appendChild(document.createTextNode(" "));
        actions.appendChild(el("button", { "class": "comment__pick-toggle", type: "button",
                                           "data-pick": li.getAttribute("data-comment-id"),
                                           "aria-pressed": picked ? "true" : "false" }, picked ? "Unpick" : "Pick"));
        // Moderators act from the page itself: take the comment down, or ban its author.
        actions.appendChild(document.createTextNode(" "));
        actions.appendChild(el("button", { "class": "comment__moderate", type: "button",
                                           "data-moderate-hide": li.getAttribute("data-comment-id") }, "Hide"));
        if (author && author !== myId()) {
          actions.appendChild(document.createTextNode(" "));
          var banButton = el("button", { "class": "comment__moderate", type: "button",
                                         "data-moderate-ban": author }, "Ban author");
          if (banned[author]) showBanned(banButton);
          actions.appendChild(banButton);
        }
      }
    }
  }

  // An ignored reader's comment folds to one line; the reader can still open it.
  function collapse(li) {
    var box = li.querySelector(":scope > .comment__box");
    if (!box || li.classList.contains("comment--ignored")) return;
    li.classList.add("comment--ignored");
    var line = el("p", { "class": "comment__ignored" }, "You ignore this reader. ");
    var show = el("button", { "class": "comment__show", type: "button" }, "Show comment");
    show.addEventListener("click", function () { li.classList.remove("comment--ignored"); line.remove(); });
    line.appendChild(show);
    li.insertBefore(line, box);
  }

  function api(method, url) {
    return fetch(url, { method: method, credentials: "same-origin",
                        headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() } })
      .then(function (response) {
        return response.json().then(function (b) { return { ok: response.ok, body: b }; });
      });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-follow]") : null;
    if (!button) return;
    var id = button.getAttribute("data-follow");
    var on = button.getAttribute("aria-pressed") !== "true";
    api(on ? "PUT" : "DELETE", "/api/v1/readers/" + id + "/follow").then(function (result) {
      if (!result.ok) { button.title = result.body.error ? result.body.error.message : ""; return; }
      followed[id] = on;
      document.querySelectorAll("button[data-follow='" + id + "']").forEach(function (b) {
        b.setAttribute("aria-pressed", on ? "true" : "false");
        b.textContent = on ? "Following" : "Follow";
      });
    });
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-pick]") : null;
    if (!button) return;
    var on = button.getAttribute("aria-pressed") !== "true";
    api(on ? "PUT" : "DELETE", "/api/v1/comments/" + button.getAttribute("data-pick") + "/pick").then(function (result) {
      if (!result.ok) { button.title = result.body.error ? result.body.error.message : ""; return; }
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "Unpick" : "Pick";
    });
  });

  function apiJson(method, url, payload) {
    return fetch(url, { method: method, credentials: "same-origin",
                        headers: { Accept: "application/json", "Content-Type": "application/json",
                                   "X-CSRF-Token": csrfToken() },
                        body: JSON.stringify(payload) })
      .then(function (response) {
        return response.text().then(function (t) { return { ok: response.ok, body: t ? JSON.parse(t) : {} }; });
      });
  }

  function showBanned(button) {
    button.disabled = true;
    button.textContent = "Banned";
  }

  document.addEventListener("click", function (event) {
    var hide = event.target.closest ? event.target.closest("button[data-moderate-hide]") : null;
    var ban = event.target.closest ? event.target.closest("button[data-moderate-ban]") : null;
    if (!hide && !ban) return;
    var button = hide || ban;
    var reason = window.prompt(hide ? "Hide this comment. Reason (the log keeps it):" : "Ban this reader. Reason (they see it):", "");
    if (reason === null) return;
    var request = hide
      ? apiJson("POST", "/api/v1/moderation/comments/" + hide.getAttribute("data-moderate-hide") + "/decision",
                { decision: "hide", reason: reason })
      : apiJson("POST", "/api/v1/moderation/accounts/" + ban.getAttribute("data-moderate-ban") + "/ban", { reason: reason });
    request.then(function (result) {
      if (!result.ok) { button.title = result.body.error ? result.body.error.message : ""; return; }
      if (hide) {
        button.disabled = true;
        button.textContent = "Hidden";
        var li = button.closest("[data-comment-id]");
        if (li) li.classList.add("comment--removed");
        return;
      }
      // The ban is on the reader, so every comment of theirs on the page shows it.
      var author = ban.getAttribute("data-moderate-ban");
      banned[author] = true;
      document.querySelectorAll("button[data-moderate-ban='" + author + "']").forEach(showBanned);
    });
  });

  // The moderation queue from the keyboard: j/k move, a/r/h decide the current comment, x selects it.
  function startQueueKeys() {
    if (!document.querySelector("[data-queue-item]")) return;
    var current = -1;
    function items() { return Array.prototype.slice.call(document.querySelectorAll(".cards > .card")); }
    function focus(i) {
      var list = items();
      if (!list.length) return;
      current = Math.max(0, Math.min(list.length - 1, i));
      list.forEach(function (card, k) { card.classList.toggle("card--current", k === current); });
      list[current].setAttribute("tabindex", "-1");
      list[current].focus();
    }
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
      if (event.key === "j") { focus(current + 1); event.preventDefault(); return; }
      if (event.key === "k") { focus(current - 1); event.preventDefault(); return; }
      var card = items()[current];
      if (!card) return;
      if (event.key === "x") {
        var box = card.querySelector("input[type=checkbox][name=ids]");
        if (box) box.checked = !box.checked;
        event.preventDefault();
        return;
      }
      var button = card.querySelector("button[data-key='" + event.key + "']");
      if (button) { event.preventDefault(); button.click(); }
    });
  }

  // Notifications arrive live (on the article's own event stream, or the reader's stream on other pages)
  // and count up in the masthead.
  var notificationBumps = 0;
  function showNotificationCount(n) {
    var badge = document.getElementById("notification-count");
    if (!badge) return;
    badge.textContent = String(n);
    badge.hidden = n === 0;
    var words = document.getElementById("notification-words");  // the link reads "Notifications 3 unread"
    if (words) words.hidden = n === 0;
  }
  function bumpNotifications() {
    var badge = document.getElementById("notification-count");
    if (!badge) return;
    notificationBumps += 1;
    showNotificationCount((parseInt(badge.textContent, 10) || 0) + 1);
  }
  // Notifications made while the stream was down (a network blip, a node restarting) never arrive live: each
  // time it opens again the count is asked for. A bump that lands meanwhile is newer than the answer, so then
  // the larger of the two stands.
  function watchNotifications(source) {
    var opens = 0;
    source.addEventListener("open", function () {
      opens += 1;
      if (opens > 1 && myId()) refreshNotificationCount();
    });
    source.addEventListener("notification", bumpNotifications);
  }
  function refreshNotificationCount() {
    var before = notificationBumps;
    fetch("/api/v1/me/notifications?limit=1", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        var badge = document.getElementById("notification-count");
        if (!body || typeof body.unread !== "number" || !badge) return;
        var shown = parseInt(badge.textContent, 10) || 0;
        showNotificationCount(notificationBumps === before ? body.unread : Math.max(shown, body.unread));
      })
      .catch(function () {});
  }
  function startNotifications() {
    if (articleSlug() || !myId() || !window.EventSource) return;  // article pages get them on the article stream
    watchNotifications(new EventSource("/api/v1/me/events"));
  }

  // The newsroom dashboard: its figures are read again (the same page, fetched) when the newsroom stream says a
  // comment or a contribution arrived, at most every 2 seconds, and every 30 seconds for page views (which
  // nodes write every few seconds). Only the figures are replaced: the period form keeps focus and input.
  function startDashboard() {
    var root = document.querySelector("[data-dashboard]");
    var figures = document.getElementById("dashboard-figures");
    var status = document.getElementById("dashboard-live");
    if (!root || !figures || !window.fetch) return;
    var pending = null, last = 0;
    function refresh() {
      pending = null;
      last = Date.now();
      fetch(location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.getElementById("dashboard-figures");
          var freshStatus = doc.getElementById("dashboard-live");
          if (!fresh) return;
          // Open tables stay open.
          var open = Array.prototype.map.call(figures.querySelectorAll("details[open] summary"), function (s) { return s.textContent; });
          figures.innerHTML = fresh.innerHTML;
          Array.prototype.forEach.call(figures.querySelectorAll("details summary"), function (s) {
            if (open.indexOf(s.textContent) >= 0) s.parentNode.open = true;
          });
          if (status && freshStatus) status.textContent = freshStatus.textContent;
        })
        .catch(function () { if (status) status.textContent = "Could not read the latest figures; retrying."; });
    }
    function soon() {
      if (pending) return;
      pending = setTimeout(refresh, Math.max(0, 2000 - (Date.now() - last)));
    }
    if (window.EventSource) {
      var source = new EventSource("/api/v1/desk/events");
      source.addEventListener("newsroom", soon);
    }
    setInterval(soon, 30000);
  }

  // "More comments": fetch the next page of the conversation (the same HTML the link leads to without
  // JavaScript) and append its comments in place.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-more-comments]") : null;
    if (!link) return;
    event.preventDefault();
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var list = document.getElementById("comment-list");
        var more = doc.getElementById("comment-list");
        if (list && more) {
          Array.prototype.forEach.call(more.children, function (li) {
            if (!document.getElementById(li.id)) list.appendChild(document.importNode(li, true));
          });
        }
        var next = doc.querySelector("a[data-more-comments]");
        if (next) link.href = next.getAttribute("href");
        else link.parentNode.remove();
        loadMyReactions();
      })
      .catch(function () { window.location.href = link.href; });
  });

  // "More replies": the thread's own page holds all of it; swap the thread in place.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-expand-thread]") : null;
    if (!link) return;
    event.preventDefault();
    var id = link.getAttribute("data-expand-thread");
    fetch(link.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("comment-" + id);
        var old = document.getElementById("comment-" + id);
        if (!fresh || !old) throw new Error("thread not found");
        var node = document.importNode(fresh, true);
        var more = node.querySelector(":scope > .comment__more-replies");
        if (more) more.remove();
        old.parentNode.replaceChild(node, old);
        loadMyReactions();
      })
      .catch(function () { window.location.href = link.href; });
  });

  // Live: new comments by other readers arrive over Server-Sent Events and wait behind a "N new comments"
  // button (its space is reserved, so nothing on the page moves until the reader asks for them).
  var pending = [];
  var posting = 0;
  function dropPending(id) {
    pending = pending.filter(function (c) { return c.id !== id; });
    showPending();
  }
  function showPending() {
    var button = document.getElementById("live-button");
    if (!button) return;
    var hide = pending.length === 0 || posting > 0;
    var text = pending.length === 1 ? "Show 1 new comment" : "Show " + pending.length + " new comments";
    // Touch the DOM only on a real change: every write is announced by the aria-live region.
    if (button.hidden !== hide) button.hidden = hide;
    if (!hide && button.textContent !== text) button.textContent = text;
  }
  function startLive() {
    var slug = articleSlug();
    var button = document.getElementById("live-button");
    if (!slug || !button || !window.EventSource) return;
    button.addEventListener("click", function () {
      var batch = pending;
      pending = [];
      var first = null;
      batch.forEach(function (c) { var node = insertComment(c); if (!first) first = node; });
      showPending();
      // The button just hid itself: give focus to the newest arrival rather than losing it to the page.
      var newest = batch.length ? document.getElementById("comment-" + batch[batch.length - 1].id) : first;
      if (newest) { newest.setAttribute("tabindex", "-1"); newest.focus({ preventScroll: true }); }
    });
    // The stream carries the reader's own notifications too: a reader who signs in on the page (no reload)
    // gets a stream opened with their session. A comment made in the moment between the two may wait for the
    // next visit.
    function connect() {
      var source = new EventSource("/api/v1/articles/" + slug + "/events");
      watchNotifications(source);
      source.addEventListener("comment.created", function (event) {
        var c = JSON.parse(event.data);
        if (document.getElementById("comment-" + c.id)) {
          insertComment(c);  // already shown: this reader's held comment, now approved
          return;
        }
        if (pending.some(function (p) { return p.id === c.id; })) return;
        pending.push(c);
        showPending();
      });
      source.addEventListener("comment.updated", function (event) {
        var c = JSON.parse(event.data);
        pending = pending.map(function (p) { return p.id === c.id ? c : p; });
        var node = document.getElementById("comment-" + c.id);
        if (!node) return;
        var body = node.querySelector(":scope > .comment__box > .comment__body");
        if (body) body.innerHTML = c.body_html;
        var button = node.querySelector(":scope > .comment__box button[data-recommend]");
        if (button) setRecommendCount(button, c.reactions.recommend);
      });
      source.addEventListener("comment.removed", function (event) {
        var c = JSON.parse(event.data);
        dropPending(c.id);
        var node = document.getElementById("comment-" + c.id);
        if (!node || node.classList.contains("comment--removed")) return;
        if (node.querySelector("ol.comments--replies > li, .comment__continue")) {
          // Its replies stay where they are, under a tombstone (as the page shows it after a reload).
          var box = node.querySelector(":scope > .comment__box");
          var tombstone = document.createElement("div");
          tombstone.className = "comment__box comment__tombstone";
          var text = document.createElement("p");
          text.textContent = c.status === "deleted" ? "This comment was deleted by its author."
                                                    : "This comment was removed by a moderator.";
          tombstone.appendChild(text);
          if (box) box.replaceWith(tombstone);
          node.classList.add("comment--removed");
          node.removeAttribute("data-author-id");
        } else {
          node.remove();
        }
        var count = document.querySelector(".conversation__number");
        if (count) count.textContent = String(Math.max(0, (parseInt(count.textContent, 10) || 0) - 1));
      });
      return source;
    }
    var live = connect();
    document.addEventListener("tribune:signed-in", function () {
      live.close();
      live = connect();
    });
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
          // The comment box is where the reader was heading: focus it, and say what happened.
          var box = document.getElementById("comment-body");
          if (box) box.focus();
          announce(form.id === "register-form" ? "Thank you for registering: you are signed in and can comment."
                                               : "You are signed in.");
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

  // The appeal: an amount, once or monthly, then on to Stripe's checkout page. Without this script the form
  // posts to /contribute, which redirects there.
  function enhanceAppeal(form) {
    var errorBox = form.querySelector(".form__error");
    var other = form.elements.other_amount;
    var button = form.querySelector("button[type=submit]");
    function fail(message, field) {
      if (errorBox) { errorBox.textContent = message; errorBox.hidden = false; }
      if (field && field.focus) field.focus();
    }
    // This script checks the amount and says what is wrong in the form's own words; the browser's check of the
    // field's pattern would stop the submit first with a generic bubble ("Please match the requested format").
    form.noValidate = true;
    if (other) other.addEventListener("input", function () {
      var radio = form.querySelector("input[name=amount][value=other]");
      if (radio) radio.checked = true;
    });
    // Back from the checkout page, a page restored from the back/forward cache still has the button disabled.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted && button) button.disabled = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector("input[name=amount]:checked");
      var raw = chosen ? chosen.value : "";
      if (raw === "other") raw = other ? other.value.trim() : "";
      // The field an amount error belongs to: the typed amount, or the chosen chip.
      var amountField = !chosen || chosen.value === "other" ? other : chosen;
      if (!/^[0-9]{1,6}$/.test(raw)) { fail("Choose an amount, or write one in whole units (for example 20).", amountField); return; }
      var interval = form.querySelector("input[name=interval]:checked");
      var payload = { amount: Number(raw), currency: form.elements.currency.value,
                      interval: interval ? interval.value : "once" };
      if (form.elements.article && form.elements.article.value) payload.article = form.elements.article.value;
      var headers = { "Content-Type": "application/json", Accept: "application/json" };
      if (form.elements.csrf_token) headers["X-CSRF-Token"] = form.elements.csrf_token.value;
      if (button) button.disabled = true;
      fetch(form.getAttribute("data-api"), { method: "POST", credentials: "same-origin", headers: headers,
                                             body: JSON.stringify(payload) })
        .then(function (response) {
          return response.json().then(function (b) { return { ok: response.ok, body: b }; });
        })
        .then(function (result) {
          if (result.ok && result.body.checkout_url) { window.location.assign(result.body.checkout_url); return; }
          if (button) button.disabled = false;
          var error = result.body && result.body.error;
          fail(error ? error.message : "The payment page could not be opened. Please try again.",
               error && error.field === "amount" ? amountField : null);
        })
        .catch(function () { form.submit(); });
    });
  }

  // The desk's editor: the preview follows the typing (the Preview button's own request, into its frame), and
  // a saved draft saves itself a few seconds after the last change. A published piece never does: its changes
  // go out when the editor presses Update. A new piece waits for its first save, which fixes its address.
  function enhanceDeskEditor(form) {
    var previewButton = form.querySelector("[data-preview]");
    var status = document.getElementById("autosave-status");
    var version = form.querySelector("input[name=version]");
    var previewTimer = null, saveTimer = null, dirty = false, unsaved = false, saving = false, stopped = false;
    var leadFile = form.querySelector("input[name=image_file]");
    // The preview follows the typing without sending a chosen lead picture each time (it goes with a save).
    function preview() {
      if (!previewButton || !form.requestSubmit) return;
      if (leadFile) leadFile.disabled = true;
      form.requestSubmit(previewButton);
      if (leadFile) leadFile.disabled = false;
    }
    function say(text, isError) {
      status.hidden = false;
      status.className = isError ? "form__error" : "form__notice";
      status.setAttribute("role", isError ? "alert" : "status");
      status.textContent = text;
    }
    function schedule() { clearTimeout(saveTimer); saveTimer = setTimeout(autosave, 4000); }
    function autosave() {
      if (stopped || saving || form.getAttribute("data-state") !== "draft") return;
      var data = new URLSearchParams(new FormData(form));
      data.set("action", "draft");
      data.set("autosave", "1");
      saving = true;
      dirty = false;
      fetch(form.getAttribute("action"), { method: "POST", body: data, credentials: "same-origin",
                                           headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
        .then(function (res) {
          saving = false;
          if (pending && res.status === 200) {
            version.value = String(res.body.version);
            unsaved = false;
            form.requestSubmit(pending);
            return;
          }
          if (res.status === 200) {
            version.value = String(res.body.version);
            if (!dirty) unsaved = false;
            say("Draft saved at " + res.body.saved_at + ".");
          } else if (res.status === 409) {
            stopped = true;
            say("Someone else saved this article since you opened it, so your changes are not saved. Copy your " +
                "text, then reload the page to see theirs.", true);
          } else {
            say((res.body.error && res.body.error.message) || "The draft could not be saved.", true);
          }
          if (dirty && !stopped) schedule();
        })
        .catch(function () {
          saving = false;
          say("The draft could not be saved (the connection failed); it will be tried again.", true);
          schedule();
        });
    }
    form.addEventListener("input", function () {
      dirty = unsaved = true;
      clearTimeout(previewTimer);
      previewTimer = setTimeout(preview, 700);
      schedule();
    });
    var pending = null;  // a save pressed while an autosave was on its way: sent once that one answers
    form.addEventListener("submit", function (e) {
      if (e.submitter === previewButton) return;
      clearTimeout(saveTimer);
      stopped = true;  // leaving by a save: no autosave after it
      if (saving) {
        // The autosave moves the version on: this save goes once it has, or it would be refused as stale.
        e.preventDefault();
        pending = e.submitter;
        return;
      }
      unsaved = false;
    });
    window.addEventListener("beforeunload", function (e) {
      if (unsaved) e.preventDefault();
    });
    preview();  // the frame starts with the article as loaded
    enableImageDrop(form, say);
  }

  // A picture dropped on the text is uploaded (after asking for its alt text) and its Markdown goes in at the
  // caret, on a line of its own.
  function enableImageDrop(form, say) {
    var body = form.querySelector("textarea[name=body]");
    var csrf = form.querySelector("input[name=csrf_token]");
    var hint = form.querySelector("[data-drop-hint]");
    if (!body || !csrf || !window.FormData) return;
    if (hint) hint.hidden = false;
    body.addEventListener("dragover", function (e) {
      if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) e.preventDefault();
    });
    body.addEventListener("drop", function (e) {
      var file = e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files[0];
      if (!file) return;
      e.preventDefault();
      var alt = window.prompt("Describe the picture for readers who cannot see it (alt text):", "");
      if (!alt || !alt.trim()) {
        say("The picture was not added: it needs alt text.", true);
        return;
      }
      var data = new FormData();
      data.append("image", file, file.name);
      data.append("alt", alt.trim());
      say("Uploading the picture…");
      fetch("/api/v1/images", { method: "POST", body: data, credentials: "same-origin",
                                headers: { Accept: "application/json", "X-CSRF-Token": csrf.value } })
        .then(function (r) { return r.json().then(function (b) { return { ok: r.ok, body: b }; }); })
        .then(function (res) {
          if (!res.ok) {
            say((res.body.error && res.body.error.message) || "The picture could not be uploaded.", true);
            return;
          }
          var at = body.selectionStart || body.value.length;
          var before = body.value.slice(0, at), after = body.value.slice(at);
          var md = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") +
                   res.body.image.markdown + "\n\n";
          body.value = before + md + after.replace(/^\n+/, "");
          body.selectionStart = body.selectionEnd = (before + md).length;
          body.dispatchEvent(new Event("input", { bubbles: true }));
          say("Picture added to the text.");
        })
        .catch(function () { say("The picture could not be uploaded (the connection failed).", true); });
    });
  }

  document.querySelectorAll("form[data-desk-editor]").forEach(enhanceDeskEditor);
  document.querySelectorAll("form#appeal-form").forEach(enhanceAppeal);
  document.querySelectorAll("form#register-form").forEach(enhanceAccountForm);
  document.querySelectorAll("form.comment-form[data-api]").forEach(enhanceCommentForm);
  loadMyReactions();
  document.addEventListener("tribune:signed-in", loadMyReactions);
  startLive();
  startNotifications();
  startQueueKeys();
  startDashboard();
  // Cards on the front page and section pages carry the comment count they were rendered with (the listing
  // is cached until the next article); one request brings every count up to date, once the reader has stayed
  // a moment (a reader passing through to an article needs none).
  setTimeout(function refreshCounts() {
    var links = Array.prototype.slice.call(document.querySelectorAll(".card__comments[data-count-slug]"));
    if (!links.length) return;
    var slugs = links.map(function (a) { return a.getAttribute("data-count-slug"); }).slice(0, 50);
    fetch("/api/v1/comment-counts?articles=" + slugs.join(","), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        links.forEach(function (a) {
          var n = body.counts[a.getAttribute("data-count-slug")];
          if (typeof n === "number" && n > 0) a.textContent = n + (n === 1 ? " comment" : " comments");
        });
      }).catch(function () {});
  }, 1500);
})();
