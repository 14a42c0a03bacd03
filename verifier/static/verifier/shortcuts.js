/* Keyboard shortcuts for the article and claim pages.
 *
 * The keys are listed in templates/includes/_shortcuts.html, which "?" opens. This is
 * enhancement only: every shortcut does what a link, button or field on the page
 * already does, so the pages work the same without it. Shortcuts never fire while the
 * user types in a field, nor with Ctrl, Alt or Meta held; Escape leaves a field.
 */
(function () {
  "use strict";

  var dialog = document.getElementById("shortcuts");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  var statusLine = document.getElementById("shortcut-status");
  var keys = {};

  function say(text) {
    statusLine.textContent = text;
  }

  function isTyping(element) {
    return Boolean(
      element &&
        element.closest &&
        element.closest("input, textarea, select, [contenteditable]:not([contenteditable='false'])")
    );
  }

  function isControl(element) {
    return Boolean(
      element && element.closest && element.closest("a[href], button, summary, [role='button']")
    );
  }

  function showShortcuts() {
    dialog.showModal();
  }

  keys["?"] = showShortcuts;
  var opener = document.querySelector("[data-shortcuts-open]");
  if (opener) {
    opener.hidden = false;
    opener.addEventListener("click", showShortcuts);
  }

  // --- the article page: move through the claims --------------------------------------

  function articlePage() {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".claim-row"));
    var current = -1;

    function markOf(row) {
      return document.getElementById("mark-" + row.getAttribute("data-claim"));
    }

    // Keep the current row visible inside the claim list when that list scrolls on its
    // own (wide screens), without scrolling the page away from the text.
    function revealInList(row) {
      var box = row.closest(".claim-side");
      if (!box || box.scrollHeight <= box.clientHeight) {
        return;
      }
      var r = row.getBoundingClientRect();
      var b = box.getBoundingClientRect();
      if (r.top < b.top) {
        box.scrollTop -= b.top - r.top + 8;
      } else if (r.bottom > b.bottom) {
        box.scrollTop += r.bottom - b.bottom + 8;
      }
    }

    function go(index) {
      current = index;
      rows.forEach(function (row, i) {
        var mark = markOf(row);
        row.classList.toggle("is-current", i === index);
        if (mark) {
          mark.classList.toggle("is-current", i === index);
        }
      });
      var row = rows[index];
      // Focus the claim where it stands in the text; Enter then opens it like any link.
      (markOf(row) || row.querySelector("a")).focus();
      revealInList(row);
    }

    function move(step) {
      if (!rows.length) {
        say("This article has no claims.");
        return;
      }
      if (current < 0) {
        go(step > 0 ? 0 : rows.length - 1);
      } else if (current + step < 0) {
        say("This is the first claim.");
      } else if (current + step >= rows.length) {
        say("This is the last claim.");
      } else {
        go(current + step);
      }
    }

    keys.j = function () {
      move(1);
    };
    keys.k = function () {
      move(-1);
    };
    keys.Enter = function () {
      if (current >= 0) {
        rows[current].querySelector("a").click(); // as a click: unsaved.js may ask first
      }
    };
  }

  // --- the claim page: verdict, start, submit -----------------------------------------

  function claimPage() {
    var verdict = document.getElementById("id_rating");
    var verdictForm = verdict ? verdict.form : null;
    var rationale = verdictForm ? verdictForm.querySelector("textarea[name='rationale']") : null;
    var keyList = document.querySelector("[data-verdict-keys]");
    var chips = keyList ? Array.prototype.slice.call(keyList.querySelectorAll("[data-rating]")) : [];
    var saved = {
      verdict: verdict ? verdict.value : "",
      rationale: rationale ? rationale.value : "",
    };

    function button(action) {
      return document.querySelector("form[action$='/" + action + "/'] button[type='submit']");
    }

    function press(action, name) {
      var target = button(action);
      if (target) {
        target.click();
      } else {
        say(name + " is not open to you on this claim now.");
      }
    }

    function showChosen() {
      chips.forEach(function (chip) {
        var chosen = chip.getAttribute("data-rating") === verdict.value;
        chip.classList.toggle("is-chosen", chosen);
        chip.setAttribute("aria-pressed", chosen ? "true" : "false");
      });
    }

    function choose(chip) {
      verdict.value = chip.getAttribute("data-rating");
      verdict.dispatchEvent(new Event("change", { bubbles: true }));
      say("Verdict: " + verdict.options[verdict.selectedIndex].text + ". Not saved yet: press v to save.");
    }

    function unsaved() {
      return Boolean(
        verdict && (verdict.value !== saved.verdict || (rationale && rationale.value !== saved.rationale))
      );
    }

    if (verdict && keyList) {
      showChosen();
      verdict.addEventListener("change", showChosen);
    }

    // A chip picks its verdict when clicked (or pressed with Enter or Space), and its
    // number key does the same.
    chips.forEach(function (chip) {
      chip.disabled = false;
      chip.addEventListener("click", function () {
        choose(chip);
      });
      if (chip.hasAttribute("data-key")) {
        keys[chip.getAttribute("data-key")] = function () {
          choose(chip);
        };
      }
    });
    for (var n = 1; n <= 9; n++) {
      if (!keys[n]) {
        keys[n] = function () {
          say(verdict ? "No verdict has that number." : "You cannot set the verdict of this claim now.");
        };
      }
    }

    function focusField(field, what) {
      if (field) {
        field.focus();
      } else {
        say("You cannot " + what + " on this claim now.");
      }
    }

    keys.r = function () {
      focusField(rationale, "write the rationale");
    };
    keys.v = function () {
      press("verdict", "Saving the verdict");
    };
    keys.n = function () {
      focusField(document.querySelector("form[action$='/notes/'] textarea"), "write a note");
    };
    keys.e = function () {
      var details = document.querySelector("details.add-evidence");
      if (details) {
        details.open = true;
      }
      focusField(details ? details.querySelector("select, input:not([type='hidden']), textarea") : null, "add evidence");
    };
    keys.s = function () {
      press("start", "Start");
    };
    keys.S = function () {
      if (unsaved()) {
        say("The verdict has unsaved changes: press v to save it, then Shift+S to submit.");
        button("verdict").focus();
        return;
      }
      press("submit", "Submit");
    };

    // Following a link as a click lets unsaved.js ask before typed text is lost.
    function follow(link, missing) {
      if (link) {
        link.click();
      } else {
        say(missing);
      }
    }
    keys.j = function () {
      follow(document.querySelector(".claim-nav a[rel='next']"), "This is the last claim of the article.");
    };
    keys.k = function () {
      follow(document.querySelector(".claim-nav a[rel='prev']"), "This is the first claim of the article.");
    };
    keys.u = function () {
      follow(document.querySelector(".crumbs a"), "");
    };
  }

  if (dialog.getAttribute("data-page") === "article") {
    articlePage();
  } else if (dialog.getAttribute("data-page") === "claim") {
    claimPage();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) {
      return;
    }
    if (dialog.open) {
      return; // the dialog's own keys: Tab, Enter on Close, Escape
    }
    var target = event.target;
    if (isTyping(target)) {
      if (event.key === "Escape") {
        target.blur();
      }
      return;
    }
    var action = keys[event.key];
    if (!action || (event.key === "Enter" && isControl(target))) {
      return;
    }
    event.preventDefault();
    action();
  });
  document.documentElement.setAttribute("data-shortcuts", "ready");
})();
