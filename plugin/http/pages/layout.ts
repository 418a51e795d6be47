import { type Html, html } from './html.js';

/** The served stylesheet's path; the CSP allows styles from 'self' only, so it is not inline. */
export const STYLESHEET_PATH = '/assets/pages.css';

export interface LayoutOptions {
  title: string;
  /** Present when signed in: the sign-out form needs the session's CSRF token. */
  signedIn?: { who: string; csrfToken: string };
}

/** The page around every page's content: viewport for phones, one stylesheet, no script. */
export function layout(options: LayoutOptions, content: Html): string {
  const { title, signedIn } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · FlexCharge MIT</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header>
<a class="brand" href="/merchants">FlexCharge MIT</a>
${
  signedIn &&
  html`<form method="post" action="/logout" class="inline">
<span class="who">${signedIn.who}</span>
<input type="hidden" name="csrf" value="${signedIn.csrfToken}">
<button type="submit">Sign out</button>
</form>`
}
</header>
<main>
${content}
</main>
</body>
</html>
`.text;
}

/** A page that only says what went wrong (403, 404, 429...). */
export function messagePage(title: string, message: string): string {
  return layout({ title }, html`<h1>${title}</h1><p>${message}</p><p><a href="/merchants">Merchants</a></p>`);
}

export const STYLESHEET = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem;justify-content:space-between;align-items:center;padding:.75rem 1rem;background:#1b1f24;color:#fff}
header a{color:#fff;text-decoration:none;font-weight:600}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
section>h2:first-child{margin-top:0}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:1rem;margin-bottom:1rem;overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eceef1;vertical-align:top}
table.audit td:first-child{white-space:nowrap}
form{margin:.5rem 0}
form.inline{display:inline-flex;gap:.5rem;align-items:center;flex-wrap:wrap;margin:0}
.fields{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.5rem 1rem;align-items:end}
label{display:block;font-size:.9rem}
input[type=text],input[type=password],input[type=url],select{width:100%;padding:.4rem;font:inherit;border:1px solid #b8bec6;border-radius:4px}
button{padding:.4rem .9rem;font:inherit;border:0;border-radius:4px;background:#2557d6;color:#fff;cursor:pointer}
.error{color:#b3261e;font-size:.85rem;display:block}
p.error{display:block}
.ok{color:#1e6b34}
.notice{padding:.5rem .75rem;border-radius:4px;background:#fdecea;color:#b3261e}
.notice.ok{background:#e6f4ea;color:#1e6b34}
.muted{color:#5b6470}
.who{font-size:.9rem}
code{font-size:.9em;overflow-wrap:anywhere}
code.key{display:inline-block;margin-top:.25rem;padding:.25rem .4rem;background:#fff;border:1px solid #b8bec6;border-radius:4px;color:#1b1f24;user-select:all}
h3{font-size:1rem;margin:1rem 0 .25rem}
.crumbs{margin:0;font-size:.9rem}
.badge{display:inline-block;padding:0 .5rem;border-radius:999px;font-size:.8rem;font-weight:600;vertical-align:middle}
.badge.ok{background:#e6f4ea;color:#1e6b34}
.badge.missing{background:#fff4e5;color:#8a4b00}
.checklist{list-style:none;margin:0;padding:0}
.checklist li{padding:.2rem 0;overflow-wrap:anywhere}
.checklist .mark{display:inline-block;width:1.2rem;font-weight:700}
.checklist .ok .mark{color:#1e6b34}.checklist .missing .mark{color:#b3261e}.checklist .waiting .mark{color:#8a4b00}
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:.5rem 0}
button.danger{background:#fff;color:#b3261e;border:1px solid #b3261e}
details{margin:.5rem 0}
summary{cursor:pointer;color:#2557d6}
.site{border-top:1px solid #eceef1;padding-top:.5rem;margin-top:.5rem}
.switches{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
.switches label{display:inline-flex;gap:.3rem;align-items:center}
.change{font-size:.85rem;overflow-wrap:anywhere}
.change .field{font-weight:600}
@media (max-width:40rem){
main{padding:.5rem}section{padding:.75rem}th,td{padding:.3rem}
table.stack thead{display:none}
table.stack tr{display:block;border-bottom:1px solid #dde1e6;padding:.4rem 0}
table.stack td{display:block;position:relative;border:0;padding:.15rem 0 .15rem 7rem;min-height:1.6rem;overflow-wrap:anywhere}
table.stack td::before{content:attr(data-label);position:absolute;left:0;width:6.5rem;font-weight:600;color:#5b6470;font-size:.85rem}
}
`;
