// Agent console login: posts the name and password (or the one-time admin token) as JSON.
const form = document.getElementById('login');
const error = document.getElementById('error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = document.getElementById('token').value.trim();
  const body = token ? { token } : { name: document.getElementById('name').value.trim(), password: document.getElementById('password').value };
  let response;
  try {
    response = await fetch('/agent/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    response = null;
  }
  if (response && response.ok) {
    window.location.assign('/agent');
    return;
  }
  error.hidden = false;
  error.textContent = response && response.status === 429 ? '尝试次数过多，请稍后再试。' : '用户名、密码或令牌不正确。';
});
