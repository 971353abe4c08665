// Autosave of the review and rating forms (form[data-autosave-url]): a short while after each change the whole
// form is posted to the autosave endpoint, which saves the draft and answers {"saved": true, "at": "HH:MM"} or
// the field errors; the status line says which. A file, not inline script: the CSP allows none.
(function () {
  const form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  const status = document.getElementById("autosave-status");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]");
  const DELAY = 800;
  let timer = null;

  const say = (text, state) => {
    if (!status) return;
    status.textContent = text;
    status.dataset.state = state;
  };
  const words = (name, values) => {
    let text = (status && status.dataset[name]) || "";
    Object.entries(values || {}).forEach(([key, value]) => { text = text.replace(`%(${key})s`, value); });
    return text;
  };

  // Errors arrive as `items.<key>.rating`, `adjustments.<key>.points`, `summary`: shown in the slot of the item.
  const slotFor = (field) => {
    const parts = field.split(".");
    const candidates = [field, parts.slice(1, -1).join("."), parts.slice(0, -1).join("."), parts[0]];
    for (const name of candidates) {
      if (!name) continue;
      const slot = form.querySelector(`[data-item-errors="${CSS.escape(name)}"]`);
      if (slot) return slot;
    }
    return null;
  };
  const clearErrors = () => form.querySelectorAll("[data-autosave-error]").forEach((el) => el.remove());
  const showErrors = (errors) => {
    Object.entries(errors || {}).forEach(([field, messages]) => {
      const slot = slotFor(field);
      if (!slot) return;
      messages.forEach((message) => {
        const div = document.createElement("div");
        div.className = "invalid-feedback d-block";
        div.dataset.autosaveError = field;
        div.textContent = message;
        slot.appendChild(div);
      });
    });
  };

  const save = async () => {
    timer = null;
    say(words("saving"), "saving");
    const body = new FormData(form);
    body.delete("submit");
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "", "Accept": "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      clearErrors();
      if (response.ok && data.saved) {
        say(words("saved", { time: data.at }), "saved");
      } else {
        showErrors(data.errors);
        say(words("failed", { message: data.message || response.status }), "error");
      }
    } catch (error) {
      say(words("offline"), "error");
    }
  };
  const schedule = () => {
    if (timer) window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY);
  };

  form.addEventListener("change", schedule);
  form.addEventListener("input", (event) => { if (event.target.tagName === "TEXTAREA") schedule(); });
  form.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    if (timer) window.clearTimeout(timer);  // the form's own post saves everything
    timer = null;
  });
})();
