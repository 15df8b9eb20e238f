// Tribune's embed script for other sites' pages (docs/embed.md). For each <div data-tribune-url="..."> it
// makes, when the element comes near the viewport, a frame of this publication's conversation for that page;
// the frame says how tall it is and the script sizes it. Messages are checked both ways: only this
// publication's frame is listened to, and only it is written to. No framework, no cookies of the host's.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.URL || !window.postMessage) return;
  var tribune = new URL(script.src, location.href).origin;

  function scheme(el) {
    var chosen = el.getAttribute("data-tribune-scheme");
    if (chosen === "light" || chosen === "dark") return chosen;
    var root = getComputedStyle(document.documentElement).colorScheme || "";
    if (root === "dark" || root === "light") return root;
    return window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  function mount(el) {
    if (el.getAttribute("data-tribune-mounted")) return;
    el.setAttribute("data-tribune-mounted", "1");
    // The page's address: the element's, else the page's canonical one (so that a link with extra parameters
    // is the same story), else its own.
    var canonical = document.querySelector("link[rel=canonical]");
    var page = el.getAttribute("data-tribune-url") || (canonical && canonical.href) || location.href.split("#")[0];
    var q = "?url=" + encodeURIComponent(page);
    var id = el.getAttribute("data-tribune-identifier");
    if (id) q += "&id=" + encodeURIComponent(id);
    var title = el.getAttribute("data-tribune-title") || document.title;
    if (title) q += "&title=" + encodeURIComponent(title.slice(0, 300));
    var current = scheme(el);
    q += "&scheme=" + current;
    var frame = document.createElement("iframe");
    frame.src = tribune + "/embed" + q;
    frame.title = el.getAttribute("data-tribune-frame-title") || "Comments";
    frame.style.cssText = "display:block;width:100%;border:0;height:480px;overflow:hidden;color-scheme:" + current;
    el.appendChild(frame);

    window.addEventListener("message", function (e) {
      if (e.origin !== tribune || e.source !== frame.contentWindow) return;
      var d = e.data;
      if (!d || d.tribune !== 1) return;
      if (d.type === "height" && typeof d.height === "number" && d.height > 0)
        frame.style.height = Math.min(Math.ceil(d.height), 200000) + "px";
    });
    function follow() {
      var now = scheme(el);
      if (now === current || !frame.contentWindow) return;
      current = now;
      frame.style.colorScheme = now;
      frame.contentWindow.postMessage({ tribune: 1, type: "scheme", scheme: now }, tribune);
    }
    if (window.matchMedia) {
      var query = matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", follow);
    }
    if (window.MutationObserver) {
      var watch = new MutationObserver(follow);
      watch.observe(el, { attributes: true, attributeFilter: ["data-tribune-scheme"] });
      watch.observe(document.documentElement, { attributes: true, attributeFilter: ["class", "style", "data-theme"] });
    }
  }

  function start() {
    var spots = document.querySelectorAll("[data-tribune-url]");
    if (!("IntersectionObserver" in window)) {
      Array.prototype.forEach.call(spots, mount);
      return;
    }
    // Lazy: the frame is made when its place comes within about a screen of the viewport, so a host page's
    // first paint never waits for it.
    var near = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) {
          near.unobserve(entry.target);
          mount(entry.target);
        }
      });
    }, { rootMargin: "800px 0px" });
    Array.prototype.forEach.call(spots, function (el) { near.observe(el); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
