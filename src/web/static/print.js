// Print buttons: a button with `data-print` prints the page (scripts from this server only).
"use strict";
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
