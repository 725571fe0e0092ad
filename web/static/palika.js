// Palika's only script: progressive enhancement. Every page works without it (the server refuses
// a second payment for the same form anyway); with it, a form that changes something cannot be
// sent twice by a double press, and the counter's amount field is ready for typing.
'use strict';
(function () {
  // A POST form's submit buttons are disabled once it is on its way (after the browser has taken
  // the button's value), and the page says that it is busy.
  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== 'post') return;
    if (form.dataset.sent === '1') {
      event.preventDefault();
      return;
    }
    form.dataset.sent = '1';
    form.setAttribute('aria-busy', 'true');
    window.setTimeout(function () {
      var buttons = form.querySelectorAll('button[type=submit], button:not([type])');
      for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
    }, 0);
  });
  // Back from the browser's cache (the back button): the form may be sent again.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    var forms = document.querySelectorAll('form[data-sent]');
    for (var i = 0; i < forms.length; i++) {
      delete forms[i].dataset.sent;
      forms[i].removeAttribute('aria-busy');
      var buttons = forms[i].querySelectorAll('button');
      for (var j = 0; j < buttons.length; j++) buttons[j].disabled = false;
    }
  });
  // The counter: the amount is focused with its text selected, so a cashier types over it.
  document.addEventListener('DOMContentLoaded', function () {
    var amount = document.querySelector('#collect-form #amount');
    if (amount && (document.activeElement === document.body || document.activeElement === amount)) {
      amount.focus();
      amount.select();
    }
  });
})();
