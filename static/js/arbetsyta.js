// Workspace: choosing yellow or red opens the cause-and-actions fields of that status form.
// Without this file the fields are still there, in a <details> the user can open.
(function () {
  "use strict";
  var NEEDS_CAUSE = { gul: true, rod: true };

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-status-form] input[type=radio]")) {
      return;
    }
    var details = input.closest("[data-status-form]").querySelector("[data-cause]");
    if (details) {
      details.open = Boolean(NEEDS_CAUSE[input.value]);
    }
  });
})();
