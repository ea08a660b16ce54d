// Asks before a step that is hard to take back (reverting a change, deleting an entity): a submit button
// with `data-confirm` says what will happen, and nothing is sent unless the user agrees.
document.addEventListener("submit", (event) => {
  const button = event.submitter;
  if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) event.preventDefault();
}, true);
