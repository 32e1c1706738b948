// Behaviour every site's pages share, from a file (the pages' CSP allows no inline script).
(function () {
  "use strict";
  // A "Copy" button copies the value of the field its data-copy names.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field || !navigator.clipboard) return;
    navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
  });
})();
