// Suggests registry organisations for the «Место работы» field and remembers the one chosen.
(function () {
  "use strict";
  var input = document.querySelector("input[data-search-url]");
  if (!input) { return; }
  var list = document.getElementById(input.getAttribute("list"));
  var idField = document.getElementById(input.dataset.idField);
  var known = {};
  var timer = null;

  function remember() {
    idField.value = Object.prototype.hasOwnProperty.call(known, input.value) ? known[input.value] : "";
  }

  function suggest() {
    var query = input.value.trim();
    if (query.length < 2) { return; }
    fetch(input.dataset.searchUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (items) {
        list.textContent = "";
        items.forEach(function (item) {
          known[item.label] = String(item.id);
          var option = document.createElement("option");
          option.value = item.label;
          list.appendChild(option);
        });
        remember();
      })
      .catch(function () { /* suggestions are a convenience; typing the name still works */ });
  }

  input.addEventListener("input", function () {
    remember();
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
  input.addEventListener("change", remember);
})();
