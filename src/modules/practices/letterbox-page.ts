/**
 * The letter box page a student opens from the school's link or QR code (解忧树洞): plain
 * HTML, one stylesheet and one script, served by the API under its own CSP (no inline
 * script). Chinese by default, English on a toggle. The page keeps nothing: no cookie, no
 * local storage, no analytics; the reply code is shown once and only in the page.
 */

export const LETTERBOX_HTML = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<title>解忧树洞 · 心理信箱</title>
<link rel="stylesheet" href="/letterbox-assets/letterbox.css">
<script src="/letterbox-assets/letterbox.js" defer></script>
</head>
<body>
<main>
  <header>
    <h1 data-i18n="title">解忧树洞 · 心理信箱</h1>
    <p id="school" class="school"></p>
    <button type="button" id="lang" class="lang" data-testid="lang-toggle">English</button>
  </header>

  <p id="missing" class="notice" hidden data-i18n="missing" data-testid="missing">找不到这个信箱，请检查链接。</p>
  <p id="closed" class="notice" hidden data-testid="closed"></p>

  <section id="write" hidden>
    <h2 data-i18n="writeTitle">给心理老师写信</h2>
    <p class="hint" data-i18n="writeHint">想说什么都可以。署名和班级可以不填；不留名字，老师也能回信给你。</p>
    <form id="write-form" novalidate>
      <label for="body" data-i18n="bodyLabel">信的内容</label>
      <textarea id="body" name="body" rows="8" maxlength="2000" required data-testid="letter-body"></textarea>
      <p class="counter"><span id="count">0</span> / 2000</p>
      <div class="row">
        <div>
          <label for="name" data-i18n="nameLabel">署名（可不填）</label>
          <input id="name" name="name" maxlength="50" autocomplete="off" data-testid="letter-name">
        </div>
        <div>
          <label for="klass" data-i18n="classLabel">班级（可不填）</label>
          <input id="klass" name="klass" maxlength="50" autocomplete="off" data-testid="letter-class">
        </div>
      </div>
      <button type="submit" id="send" data-i18n="send" data-testid="send">投递</button>
      <p id="write-error" class="error" role="alert" data-testid="write-error"></p>
    </form>
    <div id="code-box" class="code-box" hidden data-testid="code-box">
      <p data-i18n="codeIntro">信已送到。这是你的回信码，只显示这一次：</p>
      <p id="code" class="code" data-testid="reply-code"></p>
      <p class="hint" data-i18n="codeHint">请抄下来或记在只有你知道的地方。凭回信码可以在下面查看老师的回信；没有回信码，谁也看不到这封信的回信。</p>
      <button type="button" id="code-done" data-i18n="codeDone">我记好了</button>
    </div>
  </section>

  <section id="read" hidden>
    <h2 data-i18n="readTitle">查看回信</h2>
    <form id="read-form" novalidate>
      <label for="reply-code" data-i18n="codeLabel">回信码</label>
      <input id="reply-code" name="code" maxlength="40" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX-XXXX" data-testid="code-input">
      <button type="submit" id="look" data-i18n="look" data-testid="look">查看</button>
    </form>
    <p id="read-status" class="status" role="status" data-testid="read-status"></p>
    <blockquote id="reply" class="reply" hidden data-testid="reply-text"></blockquote>
    <p id="reply-date" class="hint" hidden data-testid="reply-date"></p>
  </section>

  <footer>
    <p data-i18n="privacy">这里不记录你的 IP 地址、设备和写信的具体时间，只记日期。</p>
    <p class="help" data-i18n="help">如果你现在有危险或想伤害自己，请马上告诉身边信任的老师或家长，或拨打心理援助热线 12356；紧急情况请拨打 110 或 120。</p>
  </footer>
</main>
</body>
</html>
`

export const LETTERBOX_CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;background:#f3f7f4;color:#1f2d27;line-height:1.6}
main{max-width:640px;margin:0 auto;padding:16px}
header{position:relative;padding:8px 0 4px}
h1{font-size:1.5rem;margin:0;color:#2f6b4f}
h2{font-size:1.15rem;margin:0 0 8px}
.school{margin:2px 0 0;color:#51645a}
.lang{position:absolute;top:8px;right:0;background:none;border:1px solid #2f6b4f;color:#2f6b4f;border-radius:14px;padding:2px 12px;font-size:.85rem}
section{background:#fff;border-radius:12px;padding:16px;margin:16px 0;box-shadow:0 1px 3px rgba(0,0,0,.08)}
label{display:block;font-size:.9rem;margin:8px 0 4px;color:#51645a}
textarea,input{width:100%;font:inherit;padding:8px;border:1px solid #c7d3cc;border-radius:8px;background:#fcfdfc}
.row{display:flex;gap:12px}.row>div{flex:1}
button{font:inherit;cursor:pointer}
button[type=submit],#code-done{margin-top:12px;background:#2f6b4f;color:#fff;border:0;border-radius:8px;padding:8px 20px}
button[disabled]{opacity:.6}
.counter{text-align:right;font-size:.8rem;color:#7a8b82;margin:2px 0}
.hint{font-size:.9rem;color:#51645a}
.error{color:#b3261e;min-height:1.2em;margin:8px 0 0}
.notice{background:#fff4e5;border:1px solid #f0c27b;border-radius:8px;padding:12px}
.code-box{margin-top:12px;border:2px dashed #2f6b4f;border-radius:10px;padding:12px;background:#f0f8f3}
.code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.6rem;letter-spacing:.12em;text-align:center;margin:8px 0;user-select:all}
.status{min-height:1.2em}
.reply{white-space:pre-wrap;margin:8px 0;padding:12px;border-left:4px solid #2f6b4f;background:#f6faf7}
footer{font-size:.85rem;color:#51645a;padding:8px 0 24px}
.help{color:#7a3b00}
`

export const LETTERBOX_JS = String.raw`(function () {
  'use strict';
  var T = {
    'zh-CN': {
      title: '解忧树洞 · 心理信箱', missing: '找不到这个信箱，请检查链接。', closedDefault: '信箱暂时关闭了，请过一段时间再来。',
      writeTitle: '给心理老师写信', writeHint: '想说什么都可以。署名和班级可以不填；不留名字，老师也能回信给你。',
      bodyLabel: '信的内容', nameLabel: '署名（可不填）', classLabel: '班级（可不填）', send: '投递', sending: '正在投递…',
      empty: '请先写下信的内容。', tooMany: '操作太频繁了，请过一会儿再试。', closedNow: '信箱刚刚关闭了，请过一段时间再来。',
      failed: '没有送出去，请稍后再试。', codeIntro: '信已送到。这是你的回信码，只显示这一次：',
      codeHint: '请抄下来或记在只有你知道的地方。凭回信码可以在下面查看老师的回信；没有回信码，谁也看不到这封信的回信。',
      codeDone: '我记好了', readTitle: '查看回信', codeLabel: '回信码', look: '查看', looking: '正在查找…',
      noCode: '请输入回信码。', notFound: '没有找到对应的信。请检查回信码是否抄对。',
      waiting: '老师还没有回信，请过几天再来看看。', replied: '老师的回信：', repliedOn: '回信日期：',
      privacy: '这里不记录你的 IP 地址、设备和写信的具体时间，只记日期。',
      help: '如果你现在有危险或想伤害自己，请马上告诉身边信任的老师或家长，或拨打心理援助热线 12356；紧急情况请拨打 110 或 120。',
      toggle: 'English'
    },
    en: {
      title: 'Worry Tree Hollow · Letter Box', missing: 'This letter box does not exist. Please check the link.',
      closedDefault: 'The letter box is closed for now. Please come back later.',
      writeTitle: 'Write to the psychology teacher', writeHint: 'Write about anything. Your name and class are optional; the teacher can reply even if you leave them out.',
      bodyLabel: 'Your letter', nameLabel: 'Name (optional)', classLabel: 'Class (optional)', send: 'Send', sending: 'Sending…',
      empty: 'Please write your letter first.', tooMany: 'Too many tries. Please wait a while and try again.',
      closedNow: 'The letter box has just closed. Please come back later.', failed: 'The letter was not sent. Please try again later.',
      codeIntro: 'Your letter has arrived. This is your reply code, shown only once:',
      codeHint: 'Copy it down and keep it where only you can find it. With it you can read the teacher\'s reply below; without it nobody can read the reply to this letter.',
      codeDone: 'I have noted it', readTitle: 'Read the reply', codeLabel: 'Reply code', look: 'Look', looking: 'Looking…',
      noCode: 'Please enter your reply code.', notFound: 'No letter matches this code. Please check that you copied it correctly.',
      waiting: 'The teacher has not replied yet. Please check again in a few days.', replied: 'The teacher\'s reply:', repliedOn: 'Replied on: ',
      privacy: 'We do not record your IP address, your device or the time you wrote, only the date.',
      help: 'If you are in danger or thinking of hurting yourself, tell a teacher or parent you trust right now, or call the psychological help line 12356; in an emergency call 110 or 120.',
      toggle: '中文'
    }
  };
  var lang = 'zh-CN';
  var box = null;
  var parts = location.pathname.split('/').filter(Boolean);
  var slug = parts.length > 1 ? decodeURIComponent(parts[1]) : '';
  var base = '/api/v1/letterbox/' + encodeURIComponent(slug);
  function $(id) { return document.getElementById(id); }
  function t(key) { return T[lang][key]; }
  function show(el, on) { el.hidden = !on; }

  function render() {
    document.documentElement.lang = lang;
    document.title = t('title');
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    $('lang').textContent = t('toggle');
    if (box && !box.open) $('closed').textContent = box.closedMessage || t('closedDefault');
  }

  function call(method, path, body) {
    var opts = { method: method, headers: { 'accept-language': lang, accept: 'application/json' }, credentials: 'omit', cache: 'no-store', referrerPolicy: 'no-referrer' };
    if (body) { opts.headers['content-type'] = 'application/json'; opts.body = JSON.stringify(body); }
    return fetch(base + path, opts).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) { return { status: res.status, data: data }; });
    }, function () { return { status: 0, data: null }; });
  }

  function load() {
    if (!slug) { show($('missing'), true); return; }
    call('GET', '').then(function (r) {
      if (r.status !== 200 || !r.data) { show($('missing'), true); return; }
      box = r.data;
      $('school').textContent = box.schoolName;
      show($('closed'), !box.open);
      show($('write'), box.open);
      show($('read'), true);
      render();
    });
  }

  $('lang').addEventListener('click', function () { lang = lang === 'zh-CN' ? 'en' : 'zh-CN'; render(); });
  $('body').addEventListener('input', function () { $('count').textContent = String($('body').value.length); });

  $('write-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var text = $('body').value.trim();
    $('write-error').textContent = '';
    if (!text) { $('write-error').textContent = t('empty'); return; }
    var payload = { body: text };
    var name = $('name').value.trim(); if (name) payload.writerName = name;
    var klass = $('klass').value.trim(); if (klass) payload.writerClass = klass;
    $('send').disabled = true; $('send').textContent = t('sending');
    call('POST', '/letters', payload).then(function (r) {
      $('send').disabled = false; $('send').textContent = t('send');
      if (r.status === 201 && r.data && r.data.replyCode) {
        $('code').textContent = r.data.replyCode;
        show($('write-form'), false);
        show($('code-box'), true);
        $('body').value = ''; $('name').value = ''; $('klass').value = ''; $('count').textContent = '0';
      } else if (r.status === 429) { $('write-error').textContent = t('tooMany'); }
      else if (r.status === 423) { $('write-error').textContent = t('closedNow'); }
      else { $('write-error').textContent = (r.data && r.data.message) || t('failed'); }
    });
  });

  $('code-done').addEventListener('click', function () {
    $('code').textContent = '';
    show($('code-box'), false);
    show($('write-form'), true);
  });

  $('read-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var code = $('reply-code').value.trim();
    show($('reply'), false); show($('reply-date'), false);
    $('reply').textContent = ''; $('reply-date').textContent = '';
    if (!code) { $('read-status').textContent = t('noCode'); return; }
    $('read-status').textContent = t('looking');
    call('POST', '/replies', { replyCode: code }).then(function (r) {
      if (r.status === 200 && r.data && r.data.status === 'replied') {
        $('read-status').textContent = t('replied');
        $('reply').textContent = r.data.reply;
        show($('reply'), true);
        if (r.data.repliedOn) { $('reply-date').textContent = t('repliedOn') + r.data.repliedOn; show($('reply-date'), true); }
      } else if (r.status === 200) { $('read-status').textContent = t('waiting'); }
      else if (r.status === 429) { $('read-status').textContent = t('tooMany'); }
      else { $('read-status').textContent = t('notFound'); }
    });
  });

  load();
})();
`
