// Select words in the article text to add them as a claim. Enhancement only: without
// JavaScript the "Add a claim" form below the text takes the pasted words. The server
// finds the quote in the article itself; the offset sent here only breaks ties.
(function () {
  "use strict";
  var body = document.getElementById("article-body");
  var form = document.getElementById("add-claim-form");
  if (!body || !form) return;
  var quote = form.querySelector("[name=quote]");
  var start = form.querySelector("[name=start]");
  var end = form.querySelector("[name=end]");

  var floating = document.createElement("button");
  floating.type = "button";
  floating.className = "floating-add primary";
  floating.textContent = "Add claim";
  floating.hidden = true;
  document.body.appendChild(floating);

  function offsetOf(node, offset) {
    var el = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!el || !el.hasAttribute("data-start")) return null;
    return parseInt(el.getAttribute("data-start"), 10) + offset;
  }

  function selectionInBody() {
    var sel = window.getSelection();
    if (!sel || sel.isCollapsed || sel.rangeCount === 0) return null;
    var range = sel.getRangeAt(0);
    if (!body.contains(range.commonAncestorContainer)) return null;
    var text = sel.toString();
    if (!text.trim()) return null;
    return { range: range, text: text };
  }

  document.addEventListener("selectionchange", function () {
    var picked = selectionInBody();
    if (!picked) {
      floating.hidden = true;
      return;
    }
    quote.value = picked.text.trim();
    var s = offsetOf(picked.range.startContainer, picked.range.startOffset);
    start.value = s === null ? "" : s;
    end.value = "";
    var box = picked.range.getBoundingClientRect();
    floating.style.top = window.scrollY + box.bottom + 6 + "px";
    floating.style.left = window.scrollX + box.left + "px";
    floating.hidden = false;
  });

  floating.addEventListener("click", function () {
    form.requestSubmit ? form.requestSubmit() : form.submit();
  });
})();
