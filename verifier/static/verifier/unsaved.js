/* Nothing typed is lost: leaving a page with unsaved text asks first.
 *
 * A field holds unsaved text when its value differs from what the page was served
 * with; an element marked `data-unsaved` (a form shown again after a refusal or a
 * conflict, with what the user typed) holds unsaved text from the start. Following a
 * link on the page (the keyboard shortcuts follow links too) asks with a confirm;
 * anything else that leaves (closing the tab, the back button, a typed address)
 * gets the browser's own leave-page prompt. Submitting a form does not ask about
 * that form: it is what saves the text. GET forms (filters, search) are not guarded.
 */
(function () {
  "use strict";

  var QUESTION = "You have typed text on this page that is not saved. Leave the page and lose it?";
  var submitting = null; // the form being submitted: its own text is being saved
  var leaving = false; // the user already said yes

  function changed(field) {
    if (field.disabled || field.readOnly) {
      return false;
    }
    if (field.tagName === "SELECT") {
      var options = Array.prototype.slice.call(field.options);
      if (!field.multiple && !options.some(function (option) { return option.defaultSelected; })) {
        return field.selectedIndex > 0; // served with none marked: the first was shown
      }
      return options.some(function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    if (field.type === "hidden" || field.type === "submit" || field.type === "button") {
      return false;
    }
    return field.value !== field.defaultValue;
  }

  function guarded(form) {
    return (form.getAttribute("method") || "get").toLowerCase() === "post" && form !== submitting;
  }

  function unsaved() {
    var marked = Array.prototype.some.call(document.querySelectorAll("[data-unsaved]"), function (element) {
      var form = element.tagName === "FORM" ? element : element.closest("form");
      return !form || guarded(form);
    });
    if (marked) {
      return true;
    }
    return Array.prototype.some.call(document.forms, function (form) {
      return guarded(form) && Array.prototype.some.call(form.elements, changed);
    });
  }

  document.addEventListener("submit", function (event) {
    if (!event.defaultPrevented) {
      submitting = event.target;
    }
  });

  // Links on the page, followed by a click, Enter or a shortcut (which clicks them).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || leaving) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey || link.target === "_blank") {
      return; // opens elsewhere: this page stays
    }
    var url = new URL(link.href, window.location.href);
    if (url.hash && url.pathname === window.location.pathname && url.search === window.location.search) {
      return; // a jump within the page
    }
    if (!unsaved()) {
      return;
    }
    if (window.confirm(QUESTION)) {
      leaving = true;
    } else {
      event.preventDefault();
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (leaving || !unsaved()) {
      return;
    }
    event.preventDefault();
    event.returnValue = QUESTION; // older browsers need a value; the text is the browser's
  });

  // A submit that the server answers with this page again (a refusal) starts over.
  window.addEventListener("pageshow", function () {
    submitting = null;
    leaving = false;
  });
})();
