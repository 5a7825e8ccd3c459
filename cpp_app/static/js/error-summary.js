// The error summary after a failed submit: focus goes to it (and the page shows it, not an anchor lower down),
// and each of its links puts the cursor into its field with the field's label in view.
(function () {
  "use strict";

  function labelOf(input) {
    var fieldset = input.closest("fieldset");
    if ((input.type === "radio" || input.type === "checkbox") && fieldset && fieldset.querySelector("legend")) {
      return fieldset.querySelector("legend");
    }
    return document.querySelector('label[for="' + input.id + '"]') || input;
  }

  function init() {
    var summary = document.getElementById("error-summary");
    if (!summary) {
      return;
    }
    if (window.location.hash) {
      // A form posted to «…#section» would otherwise scroll past the summary.
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    summary.focus({ preventScroll: true });
    // The summary and a little above it (its focus outline, the page's heading when it fits).
    var top = summary.getBoundingClientRect().top + window.pageYOffset;
    window.scrollTo(0, Math.max(0, top - 96));
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var input = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input) {
        return;
      }
      event.preventDefault();
      labelOf(input).scrollIntoView({ block: "start" });
      input.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
