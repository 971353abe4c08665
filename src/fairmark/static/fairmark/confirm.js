// Asks before sending a form marked data-confirm="question" (an action that cannot be taken back).
// A listener in a file rather than onsubmit="…", because the CSP allows no inline script.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
