// Loaded before the widget manager (embed-amd.js) on every page with widgets.
// It fixes two things that break when the book is served offline, with no CDN.
(function () {
  "use strict";
  // 1. The widget manager finds its icon fonts from the URL of its AMD modules, which
  //    RequireJS resolves against the page (a folder that does not exist here). Map the
  //    module folder to the copy this site serves; a global `require` object set before
  //    require.js loads is its configuration.
  var here = document.currentScript && document.currentScript.src;
  if (here && typeof window.require === "undefined") {
    var managerDir = new URL("../offline/html-manager", here).href;
    window.require = { paths: { "@jupyter-widgets/html-manager/dist": managerDir } };
    window.__jupyter_widgets_assets_path__ = managerDir + "/";
  }

  // 2. Widget labels are typeset through MathJax 2's API (MathJax.Hub.Queue), but the
  //    book ships MathJax 3, which has no Hub: bridge the call to typesetPromise.
  function queue(job) {
    var element = Array.isArray(job) ? job[2] : null;
    var mathjax = window.MathJax;
    if (!element || !mathjax || !mathjax.startup || !mathjax.startup.promise) {
      return;
    }
    mathjax.startup.promise
      .then(function () { return mathjax.typesetPromise([element]); })
      .catch(function (err) { console.warn("MathJax typeset failed:", err); });
  }
  // Deferred scripts (MathJax) have run by DOMContentLoaded; widgets render on "load".
  document.addEventListener("DOMContentLoaded", function () {
    if (window.MathJax && !window.MathJax.Hub) {
      window.MathJax.Hub = { Queue: queue };
    }
  });
})();
