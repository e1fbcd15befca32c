// Security keys and passkeys (WebAuthn) for the Client Portal.
//
// The server renders each ceremony's options (webauthn-rs's JSON: binary
// fields as base64url) into a button's data-options attribute, keeps the
// ceremony's state in the server-side session, and takes the browser's answer
// back as one hidden field of an ordinary form post, with the form's CSRF
// token. This file only converts between that JSON and the ArrayBuffers
// navigator.credentials speaks, and submits the form. It is served from the
// portal's own origin: the Content-Security-Policy allows no other script and
// no inline script.
//
// A button looks like:
//   <form method="post" action="..."><input type="hidden" name="csrf" ...>
//     <input type="hidden" name="response">
//     <button type="button" data-passkey="create|get" data-options="{...}" disabled>
//     <p class="passkey-status" role="alert" hidden></p>   (where messages go)
//     <input type="hidden" name="remember" value="on" data-checkbox="ID" disabled>
//       (optional: sent only when the page's one checkbox #ID is ticked, so the
//       second step has one "Remember this device" for the code and the key)
//     <noscript>what is needed without JavaScript</noscript>
//   </form>
// The button is disabled until this script runs, so without JavaScript it
// cannot fail silently: the noscript text says why.
"use strict";

(function () {
  function fromBase64Url(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4 !== 0) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64Url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (d) {
      var copy = Object.assign({}, d);
      copy.id = fromBase64Url(d.id);
      return copy;
    });
  }

  // webauthn-rs's CreationChallengeResponse: {"publicKey": {...}}.
  function creationOptions(json) {
    var options = Object.assign({}, json.publicKey);
    options.challenge = fromBase64Url(options.challenge);
    options.user = Object.assign({}, options.user, { id: fromBase64Url(options.user.id) });
    if (options.excludeCredentials) {
      options.excludeCredentials = descriptors(options.excludeCredentials);
    }
    return { publicKey: options };
  }

  // webauthn-rs's RequestChallengeResponse: {"publicKey": {...}, "mediation"?}.
  function requestOptions(json) {
    var options = Object.assign({}, json.publicKey);
    options.challenge = fromBase64Url(options.challenge);
    if (options.allowCredentials) {
      options.allowCredentials = descriptors(options.allowCredentials);
    }
    return { publicKey: options };
  }

  // As webauthn-rs's RegisterPublicKeyCredential deserializes it.
  function registration(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: {
        attestationObject: toBase64Url(response.attestationObject),
        clientDataJSON: toBase64Url(response.clientDataJSON),
      },
      extensions: {},
    };
    if (typeof response.getTransports === "function") {
      answer.response.transports = response.getTransports();
    }
    var results = credential.getClientExtensionResults();
    if (results && results.credProps) {
      answer.extensions.credProps = { rk: results.credProps.rk };
    }
    return answer;
  }

  // As webauthn-rs's PublicKeyCredential deserializes it.
  function assertion(credential) {
    var response = credential.response;
    var answer = {
      id: credential.id,
      rawId: toBase64Url(credential.rawId),
      type: credential.type,
      response: {
        authenticatorData: toBase64Url(response.authenticatorData),
        clientDataJSON: toBase64Url(response.clientDataJSON),
        signature: toBase64Url(response.signature),
      },
      extensions: {},
    };
    if (response.userHandle) {
      answer.response.userHandle = toBase64Url(response.userHandle);
    }
    return answer;
  }

  // What to say when the browser refuses (the names are the DOMException's).
  function refusal(error) {
    switch (error && error.name) {
      case "NotAllowedError":
        return "The security key did not answer, or the request was cancelled. Select the button to try again.";
      case "InvalidStateError":
        return "This security key or passkey is already registered to your account.";
      case "SecurityError":
        return "This browser refused the request for this site's address: open the portal at its usual address and try again.";
      case "NotSupportedError":
        return "This security key cannot be used here: try another one.";
      default:
        return "The security key could not be used. Try again, or use another way to sign in.";
    }
  }

  function status(button, text) {
    var place = button.form ? button.form.querySelector(".passkey-status") : null;
    if (place) {
      place.textContent = text;
      place.hidden = !text;
    }
  }

  function start(button) {
    var kind = button.getAttribute("data-passkey");
    var json;
    try {
      json = JSON.parse(button.getAttribute("data-options"));
    } catch (e) {
      status(button, "This page is damaged: reload it and try again.");
      return;
    }
    var form = button.form;
    var field = form.querySelector("input[name=response]");
    var call = kind === "create"
      ? navigator.credentials.create(creationOptions(json)).then(registration)
      : navigator.credentials.get(requestOptions(json)).then(assertion);
    button.disabled = true;
    status(button, "");
    call.then(function (answer) {
      field.value = JSON.stringify(answer);
      var copies = form.querySelectorAll("input[data-checkbox]");
      for (var i = 0; i < copies.length; i++) {
        var box = document.getElementById(copies[i].getAttribute("data-checkbox"));
        copies[i].disabled = !(box && box.checked);
      }
      form.submit();
    }, function (error) {
      button.disabled = false;
      status(button, refusal(error));
    });
  }

  function ready() {
    var buttons = document.querySelectorAll("button[data-passkey]");
    var able = window.PublicKeyCredential && navigator.credentials;
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      if (!able) {
        status(button, "This browser cannot use security keys or passkeys. Use another way to sign in, or another browser.");
        continue;
      }
      button.disabled = false;
      button.addEventListener("click", function (event) {
        start(event.currentTarget);
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
