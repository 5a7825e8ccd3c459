// «Выбрать все на странице» ticks the rows in place instead of reloading the page with them ticked (the link's
// own target, which works without this script); the link then offers «Снять выбор».
(function () {
  "use strict";
  var links = document.querySelectorAll("a[data-select-all]");
  Array.prototype.forEach.call(links, function (link) {
    var form = document.getElementById(link.dataset.selectAll);
    if (!form) { return; }
    function boxes() {
      // form.elements includes the checkboxes tied to the form by their form attribute.
      return Array.prototype.filter.call(form.elements, function (element) { return element.type === "checkbox"; });
    }
    function allTicked() {
      var list = boxes();
      return list.length > 0 && list.every(function (box) { return box.checked; });
    }
    function label() {
      link.textContent = allTicked() ? link.dataset.clearText : link.dataset.selectText;
    }
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var tick = !allTicked();
      boxes().forEach(function (box) { box.checked = tick; });
      label();
    });
    document.addEventListener("change", function (event) {
      if (event.target.type === "checkbox") { label(); }
    });
  });
}());
