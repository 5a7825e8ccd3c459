// Autosave of a questionnaire step (the school's self-diagnostic, the teacher's self-assessment): posts the step's
// form a second after the last change, keeps the hidden revision fields in step with the server and shows the
// progress it answers with. Without this script the page works the same through «Сохранить».
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form || !window.fetch || !window.FormData || !window.URLSearchParams) { return; }

  var DELAY = 1000;
  var EXPIRED = "Сессия истекла — нажмите «Сохранить», ваши ответы не потеряются.";
  var FAILED = "Автосохранение не удалось — нажмите «Сохранить», ваши ответы не потеряются.";
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById(form.getAttribute("data-autosave-status"));
  var progress = document.getElementById(form.getAttribute("data-autosave-progress"));
  var tokenField = form.querySelector("input[name=csrf_token]");
  var timer = null;
  var inFlight = false;
  var again = false; // a change arrived while a save was on its way
  var stopped = false;
  var waitingSubmit = null; // the button pressed while a save was on its way

  function say(text, state) {
    if (!status) { return; }
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function stop(text) {
    stopped = true;
    clearTimeout(timer);
    timer = null;
    say(text, "error");
  }

  function request(keepalive) {
    return fetch(url, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      redirect: "manual", // a redirect here means the session or the consent gate stopped us
      keepalive: keepalive,
      headers: { "X-CSRFToken": tokenField ? tokenField.value : "", "Accept": "application/json" }
    });
  }

  function setField(name, value) {
    var input = form.elements.namedItem(name);
    if (input) { input.value = String(value); }
  }

  function track(data) {
    Object.keys(data.revisions || {}).forEach(function (code) { setField("rev-" + code, data.revisions[code]); });
    Object.keys(data.digests || {}).forEach(function (code) { setField("orig-" + code, data.digests[code]); });
  }

  function applied(data) {
    track(data);
    if (progress && data.progress) { progress.textContent = data.progress; }
    var conflicts = data.conflicts || [];
    if (conflicts.length) {
      var names = conflicts.map(function (item) { return "«" + item.title + "» (" + item.who + ")"; }).join(", ");
      say("Не сохранено: " + names + " — ответ изменил другой пользователь. Нажмите «Сохранить», чтобы сравнить " +
          "ответы, или обновите страницу.", "conflict");
    } else {
      say("Сохранено в " + data.saved_at, "saved");
    }
  }

  function finished() {
    inFlight = false;
    if (waitingSubmit !== null) {
      var button = waitingSubmit;
      waitingSubmit = null;
      if (form.requestSubmit) { form.requestSubmit(button); } else { form.submit(); }
    } else if (again && !stopped) {
      again = false;
      schedule();
    }
  }

  function save() {
    timer = null;
    if (stopped) { return; }
    if (inFlight) { again = true; return; }
    inFlight = true;
    say("Сохранение…", "saving");
    request(false)
      .then(function (response) {
        if (response.type === "opaqueredirect" || [400, 401, 403].indexOf(response.status) !== -1) {
          stop(EXPIRED);
          return null;
        }
        return response.json().then(function (data) {
          if (response.ok) {
            applied(data);
          } else if (response.status === 409) {
            stop(data.error || FAILED); // the diagnostic was sent for review meanwhile
          } else {
            // Refused answers (422): the section's other answers were saved, so the page takes their revisions.
            track(data);
            say(data.error || FAILED, "error");
          }
        });
      })
      .catch(function () { say(FAILED, "error"); })
      .then(finished);
  }

  function schedule() {
    if (stopped) { return; }
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  // The warning «выше, чем подтверждают данные» follows the chosen level without a reload.
  function checkClaim(target) {
    if (!target || target.type !== "radio" || target.name.indexOf("score-") !== 0) { return; }
    var code = target.name.slice("score-".length);
    Array.prototype.forEach.call(form.querySelectorAll("[data-overclaim-for]"), function (warning) {
      if (warning.getAttribute("data-overclaim-for") !== code) { return; }
      var suggested = warning.getAttribute("data-suggested");
      warning.hidden = suggested === "" || Number(target.value) <= Number(suggested);
    });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", function (event) {
    checkClaim(event.target);
    schedule();
  });
  form.addEventListener("submit", function (event) {
    clearTimeout(timer);
    timer = null;
    if (inFlight) { // let the running save finish first, or the form would conflict with our own save
      event.preventDefault();
      waitingSubmit = event.submitter || form.querySelector("button[type=submit]");
    }
  });
  // Leaving the page by a link with a save still pending: send it anyway.
  window.addEventListener("pagehide", function () {
    if (timer === null || stopped || inFlight) { return; }
    clearTimeout(timer);
    timer = null;
    request(true).catch(function () { /* the page is gone; nothing to tell */ });
  });
})();
