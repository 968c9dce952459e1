// The incident cockpit refreshes itself and swaps itself after every action (htmx). What a person
// was typing, the sections they opened and where their cursor was survive a refresh; a response
// that is not the cockpit (signed out, refused, an error) is shown as the page it is.
// Strict CSP: no inline script.
(() => {
  let saved = null;
  let nextBefore = null;

  const key = (field) => `${field.form ? field.form.getAttribute('action') : ''}|${field.name}`
    + ((field.type === 'radio' || field.type === 'checkbox') ? `=${field.value}` : '');
  const fields = (root) => root.querySelectorAll('input[name]:not([type=hidden]), textarea[name], select[name]');
  const edited = (field) => (field.type === 'radio' || field.type === 'checkbox')
    ? field.checked !== field.defaultChecked
    : (field.tagName === 'SELECT' ? field.selectedIndex > 0 : field.value !== field.defaultValue);

  document.addEventListener('htmx:beforeSwap', (event) => {
    const cockpit = document.getElementById('cockpit');
    const xhr = event.detail.xhr;
    if (!cockpit || event.detail.target !== cockpit) {
      return;
    }
    if (xhr.status === 204) {
      return; // a poll of a cockpit that has not changed: nothing to swap
    }
    const next = document.getElementById('next-action');
    nextBefore = next ? next.dataset.next : null;
    if (xhr.status >= 400) {
      event.detail.shouldSwap = false;
      const page = new DOMParser().parseFromString(xhr.responseText, 'text/html').querySelector('main');
      if (page) {
        document.querySelector('main').replaceWith(page);
      }
      return;
    }
    if (!xhr.responseText.includes('id="cockpit"')) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL || window.location.href);
      return;
    }
    // Only a refresh keeps edits: after an action, the page shows the new state as it is.
    if (event.detail.requestConfig && event.detail.requestConfig.elt !== cockpit) {
      saved = null;
      return;
    }
    const focused = document.activeElement;
    saved = {
      values: [...fields(cockpit)].filter(edited).map((field) => [key(field), field.type === 'radio'
        || field.type === 'checkbox' ? field.checked : field.value]),
      open: [...cockpit.querySelectorAll('details[id][open]')].map((details) => details.id),
      focus: (focused && focused.name && cockpit.contains(focused)) ? key(focused) : null,
      selection: (focused && typeof focused.selectionStart === 'number') ? [focused.selectionStart, focused.selectionEnd] : null,
    };
  });

  // After an action, the next one is in view: its form, when it asks for something to be typed.
  const bringNextActionIntoView = () => {
    const button = document.querySelector('#next-action button[form]');
    const form = button && document.getElementById(button.getAttribute('form'));
    const field = form && form.querySelector('input:not([type=hidden]):not([type=radio]), textarea, select');
    if (!field) {
      return;
    }
    const box = form.getBoundingClientRect();
    const bar = document.querySelector('.cockpit-bar');
    const top = bar ? bar.getBoundingClientRect().bottom : 0;
    if (box.top < top || box.bottom > window.innerHeight) {
      form.scrollIntoView({ block: 'center' });
    }
    if (!field.value) {
      field.focus({ preventScroll: true });
    }
  };

  document.addEventListener('htmx:afterSettle', (event) => {
    const cockpit = document.getElementById('cockpit');
    if (cockpit && !saved && event.detail.requestConfig && event.detail.requestConfig.elt !== cockpit
        && event.detail.target && event.detail.target.id === 'cockpit') {
      bringNextActionIntoView();
    }
    // A refresh that brings a new next action (the approval arrived, a step ended) brings it into
    // view too, unless the person is busy typing somewhere.
    const next = document.getElementById('next-action');
    const typing = document.activeElement && document.activeElement.matches('input, textarea, select');
    if (saved && next && nextBefore !== null && next.dataset.next !== nextBefore && !typing && !saved.values.length) {
      bringNextActionIntoView();
    }
    if (!cockpit || !saved) {
      return;
    }
    const byKey = new Map([...fields(cockpit)].map((field) => [key(field), field]));
    saved.values.forEach(([name, value]) => {
      const field = byKey.get(name);
      if (field && (field.type === 'radio' || field.type === 'checkbox')) {
        field.checked = value;
      }
      else if (field) {
        field.value = value;
      }
    });
    saved.open.forEach((id) => {
      const details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
    const focus = saved.focus && byKey.get(saved.focus);
    if (focus) {
      focus.focus({ preventScroll: true });
      if (saved.selection && typeof focus.setSelectionRange === 'function') {
        try {
          focus.setSelectionRange(saved.selection[0], saved.selection[1]);
        }
        catch (ignored) {
          // Not every input type has a selection.
        }
      }
    }
    saved = null;
  });
})();
