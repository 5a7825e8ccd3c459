// Suggests registry organisations for the «Место работы» field (an ARIA combobox with a listbox) and remembers
// the one picked. The server resolves the text anyway: without this script the form asks to choose instead.
(function () {
  "use strict";
  var input = document.querySelector("input[data-search-url]");
  if (!input) { return; }
  var idField = document.getElementById(input.dataset.idField);
  var settlement = input.dataset.settlementField ? document.getElementById(input.dataset.settlementField) : null;
  var listId = input.id + "-suggestions";
  var list = document.createElement("ul");
  var status = document.createElement("div");
  var items = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  list.id = listId;
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Организации из реестра");
  list.hidden = true;
  status.className = "sr-only";
  status.setAttribute("role", "status");
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", listId);
  input.insertAdjacentElement("afterend", list);
  list.insertAdjacentElement("afterend", status);

  function close() {
    list.hidden = true;
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    var options = list.children;
    if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
    active = index;
    if (index >= 0) {
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function pick(index) {
    input.value = items[index].label;
    idField.value = String(items[index].id);
    close();
    status.textContent = "Выбрано: " + items[index].label;
  }

  function show(found) {
    items = found;
    list.textContent = "";
    found.forEach(function (item, index) {
      var option = document.createElement("li");
      var details = document.createElement("span");
      option.id = listId + "-" + index;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.textContent = item.label.split(" (")[0];
      details.className = "choice-details";
      details.textContent = item.name + " · " + item.municipality;
      option.appendChild(details);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { pick(index); });
      list.appendChild(option);
    });
    active = -1;
    list.hidden = !found.length;
    input.setAttribute("aria-expanded", found.length ? "true" : "false");
    status.textContent = found.length
      ? "Подсказок: " + found.length + ". Выберите стрелками вниз и вверх, затем Enter."
      : "В реестре нет подходящих организаций.";
  }

  function suggest() {
    var query = input.value.trim();
    if (query.length < 2) { close(); return; }
    var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(query);
    if (settlement && settlement.value.trim()) { url += "&settlement=" + encodeURIComponent(settlement.value.trim()); }
    var request = ++asked;
    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) { if (request === asked) { show(found); } })
      .catch(function () { /* suggestions are a convenience; the server resolves the typed name */ });
  }

  input.addEventListener("input", function () {
    idField.value = "";  // a changed text no longer names the organisation picked before
    clearTimeout(timer);
    timer = setTimeout(suggest, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden) { if (items.length) { show(items); } return; }
      event.preventDefault();
      var next = active + (event.key === "ArrowDown" ? 1 : -1);
      highlight(next >= items.length ? 0 : (next < 0 ? items.length - 1 : next));
    } else if (event.key === "Enter" && !list.hidden && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close();
    }
  });
  input.addEventListener("blur", close);
  // Typed into before this script arrived (a slow connection): answer what is there as if typed now.
  if (document.activeElement === input && input.value !== input.defaultValue) {
    idField.value = "";
    suggest();
  }
})();
