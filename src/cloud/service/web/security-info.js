// The security-info page: sign in with a temporary access pass or an existing security
// key, then list, add (navigator.credentials.create) and delete your security keys.
// The session token lives in this page's memory only and goes out as a Bearer header;
// docs/cloud-web.md describes the API.
'use strict';

(() => {
  const tenant = location.pathname.split('/')[1];
  const api = (path) => '/' + tenant + path;
  const $ = (id) => document.getElementById(id);
  let session = null;  // {token, credentialId, timer}

  // --- base64url and the WebAuthn JSON forms (WebAuthn L3 5.1.8, 5.1.10; used only
  // where the browser lacks parse*OptionsFromJSON / toJSON).
  const b64urlToBuf = (s) => {
    const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  };
  const bufToB64url = (buf) => {
    let s = '';
    for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const descriptors = (list) =>
    (list || []).map((d) => Object.assign({}, d, {id: b64urlToBuf(d.id)}));

  function creationOptions(json) {
    if (PublicKeyCredential.parseCreationOptionsFromJSON) {
      return PublicKeyCredential.parseCreationOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: b64urlToBuf(json.challenge),
      user: Object.assign({}, json.user, {id: b64urlToBuf(json.user.id)}),
      excludeCredentials: descriptors(json.excludeCredentials),
    });
  }

  function requestOptions(json) {
    if (PublicKeyCredential.parseRequestOptionsFromJSON) {
      return PublicKeyCredential.parseRequestOptionsFromJSON(json);
    }
    return Object.assign({}, json, {
      challenge: b64urlToBuf(json.challenge),
      allowCredentials: descriptors(json.allowCredentials),
    });
  }

  function credentialJSON(cred) {
    if (typeof cred.toJSON === 'function') return cred.toJSON();
    const r = cred.response;
    const out = {
      id: cred.id,
      rawId: bufToB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || null,
      clientExtensionResults: cred.getClientExtensionResults(),
      response: {clientDataJSON: bufToB64url(r.clientDataJSON)},
    };
    if (r.attestationObject) {
      out.response.attestationObject = bufToB64url(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      out.response.authenticatorData = bufToB64url(r.authenticatorData);
      out.response.signature = bufToB64url(r.signature);
      out.response.userHandle = r.userHandle ? bufToB64url(r.userHandle) : null;
    }
    return out;
  }

  // --- Talking to the service.

  class ApiError extends Error {
    constructor(status, code) {
      super(code || ('HTTP ' + status));
      this.status = status;
      this.code = code;
    }
  }

  async function call(method, path, body) {
    const headers = {'Accept': 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (session) headers['Authorization'] = 'Bearer ' + session.token;
    const res = await fetch(api(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
    if (res.status === 204) return null;
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) throw new ApiError(res.status, data && data.code);
    return data;
  }

  const messages = {
    invalid_grant: 'The sign-in was refused. Check your user name and your pass or key.',
    invalid_request: 'The service did not accept the request.',
    unauthorized: 'Your session has ended. Sign in again.',
    policy: 'Your organization does not allow this security key.',
    conflict: 'This security key is already registered.',
    not_found: 'That key no longer exists.',
    NotAllowedError: 'The security key operation was cancelled or timed out.',
    InvalidStateError: 'This security key is already registered for you.',
    SecurityError: 'This page cannot use security keys here (origin or certificate).',
  };

  function show(text, kind, state) {
    const s = $('status');
    s.textContent = text;
    s.dataset.kind = kind;
    if (state) document.body.dataset.state = state;
  }

  function showError(err) {
    const key = (err && (err.code || err.name)) || '';
    show(messages[key] || 'Something went wrong (' + key + ').', 'error', 'error');
    // The last error code, for people reading the page and for tests.
    document.body.dataset.error = key;
    if (err instanceof ApiError && err.status === 401) signOut(true);
  }

  // --- Session.

  function signOut(keepMessage) {
    if (session && session.timer) clearTimeout(session.timer);
    session = null;
    $('keys-section').hidden = true;
    $('signin-section').hidden = false;
    $('key-list').replaceChildren();
    if (!keepMessage) show('Signed out.', 'info', 'signed-out');
    else document.body.dataset.state = 'signed-out';
  }

  async function startSession(answer) {
    session = {
      token: answer.session,
      credentialId: answer.credential_id,
      timer: setTimeout(() => {
        signOut(true);
        show(messages.unauthorized, 'error');
      }, answer.expires_in * 1000),
    };
    $('access-pass').value = '';
    $('who').textContent = answer.user.upn;
    $('signin-section').hidden = true;
    $('keys-section').hidden = false;
    await loadKeys();
    show('Signed in as ' + answer.user.upn + '.', 'info', 'signed-in');
  }

  const username = () => $('username').value.trim();

  async function signInWithPass() {
    const pass = $('access-pass').value;
    if (!username() || !pass) return show('Type your user name and your access pass.', 'error');
    show('Signing in…', 'info', 'busy');
    await startSession(await call('POST', '/me/session',
                                  {username: username(), access_pass: pass}));
  }

  async function signInWithKey() {
    if (!username()) return show('Type your user name.', 'error');
    show('Touch your security key…', 'info', 'busy');
    const opts = await call('POST', '/webauthn/authentication/options', {username: username()});
    const cred = await navigator.credentials.get({publicKey: requestOptions(opts.publicKey)});
    await startSession(await call('POST', '/me/session', {
      username: username(),
      challenge_id: opts.challenge_id,
      assertion: credentialJSON(cred),
    }));
  }

  // --- Keys.

  const when = (t) => (t ? new Date(t).toLocaleString() : 'never');

  function keyRow(k) {
    const tr = document.createElement('tr');
    tr.dataset.credentialId = k.credential_id;
    tr.dataset.aaguid = k.aaguid;
    for (const [text, cls] of [[k.name, 'name'], [k.aaguid, 'aaguid'],
                               [when(k.created), 'created'], [when(k.last_used), 'last-used']]) {
      const td = document.createElement('td');
      td.textContent = text;
      td.className = cls;
      tr.append(td);
    }
    const td = document.createElement('td');
    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'delete';
    del.textContent = 'Delete';
    del.addEventListener('click', () => run(() => deleteKey(k)));
    td.append(del);
    tr.append(td);
    return tr;
  }

  async function loadKeys() {
    const data = await call('GET', '/me/credentials');
    $('key-list').replaceChildren(...data.credentials.map(keyRow));
    $('no-keys').hidden = data.credentials.length !== 0;
  }

  async function addKey() {
    show('Touch your new security key…', 'info', 'busy');
    const opts = await call('POST', '/me/registration/options');
    const cred = await navigator.credentials.create({publicKey: creationOptions(opts.publicKey)});
    const name = $('key-name').value.trim() || 'Security key';
    await call('POST', '/me/registration',
               {challenge_id: opts.challenge_id, credential: credentialJSON(cred), name});
    await loadKeys();
    show('Added “' + name + '”.', 'info', 'registered');
  }

  async function deleteKey(k) {
    show('Deleting…', 'info', 'busy');
    await call('DELETE', '/me/credentials/' + encodeURIComponent(k.credential_id));
    if (session && session.credentialId === k.credential_id) {
      // The session was opened with this key; the service no longer accepts it.
      signOut(true);
      show('Deleted “' + k.name + '”, the key you signed in with. Sign in again.', 'info',
           'deleted');
      return;
    }
    await loadKeys();
    show('Deleted “' + k.name + '”.', 'info', 'deleted');
  }

  // One action at a time; every failure ends up in the status line.
  let busy = false;
  async function run(action) {
    if (busy) return;
    busy = true;
    delete document.body.dataset.error;
    try {
      await action();
    } catch (err) {
      showError(err);
    } finally {
      busy = false;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    if (!window.PublicKeyCredential) {
      show('This browser does not support security keys (WebAuthn).', 'error', 'unsupported');
    }
    $('signin-pass').addEventListener('click', () => run(signInWithPass));
    $('signin-key').addEventListener('click', () => run(signInWithKey));
    $('add-key').addEventListener('click', () => run(addKey));
    $('signout').addEventListener('click', () => signOut(false));
    for (const f of ['signin-form', 'add-form']) {
      $(f).addEventListener('submit', (e) => e.preventDefault());
    }
    document.body.dataset.ready = '1';
  });
})();
