/* The private link of an anonymous concern is /concerns/track/#<code>. Browsers never send
   the part after "#" to the server, so it stays out of addresses and access logs. This script
   takes the code out of the address bar (and the browser's history), puts it in the page's
   form, and sends the form by POST. Without JavaScript, the page asks to paste the code. */
(function () {
  "use strict";
  var code = window.location.hash.slice(1);
  var form = document.querySelector("form[data-concern-code]");
  if (!form || !/^[A-Za-z0-9_-]{16,100}$/.test(code)) {
    return;
  }
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  form.elements.namedItem("code").value = code;
  form.submit();
})();
