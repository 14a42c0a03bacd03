// The memo's Print button: shown only when this script runs, since without it the
// button would do nothing (the browser's own Print still works).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
