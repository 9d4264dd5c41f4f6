"""The app's CSS (phone first: 360–430 px wide, tap targets of 44 px) and head script."""

from __future__ import annotations

CSS = """
.gradio-container { max-width: 1100px !important; margin: auto; padding: 0 8px !important; }
body, .gradio-container { overflow-x: hidden; }
.gradio-container * { overflow-wrap: anywhere; }
textarea, input, select { font-size: 16px !important; }  /* no zoom on focus on phones */
button, .gradio-container summary { min-height: 44px; }
#lang-switch { text-align: right; font-size: 15px; }
#lang-switch a { display: inline-block; min-width: 44px; min-height: 44px; line-height: 44px;
  text-align: center; text-decoration: none; font-weight: 600; }
#lang-switch a.active { text-decoration: underline; }
.transcript { display: flex; flex-direction: column; gap: 10px; font-size: 16px; line-height: 1.5; }
.transcript.empty { color: #555; }
.bubble { border-radius: 14px; padding: 10px 12px; max-width: 100%; box-sizing: border-box; }
.bubble.user { align-self: flex-end; background: #e8f0fe; max-width: 88%; }
.bubble.bot { align-self: stretch; background: #f6f6f4; border: 1px solid #e3e3df; }
.bubble p { margin: 0 0 6px 0; }
.framing { color: #444; font-style: italic; }
.note { color: #7a4b00; background: #fff7e0; border-radius: 8px; padding: 4px 8px; }
.group { margin: .5em 0 .1em; font-weight: 600; color: #333; }
.sentence { margin: 6px 0; }
.sentence.added .text { font-style: italic; }  /* a quote a generated answer left out */
.sentence.verdict-weak .text, .sentence.verdict-unsupported .text {
  text-decoration: underline wavy #c0392b; }
details.cite { display: inline; }
details.cite > summary { display: inline-flex; align-items: center; justify-content: center;
  min-width: 44px; min-height: 44px; padding: 0 6px; margin: 2px 0; list-style: none;
  cursor: pointer; color: #1a56db; font-weight: 700; border-radius: 10px; }
details.cite > summary::-webkit-details-marker { display: none; }
details.cite[open] > summary { background: #1a56db; color: #fff; }
details.cite[open] { display: block; }
.card { display: block; margin: 6px 0 10px; padding: 10px; background: #fff;
  border: 1px solid #d0d7e6; border-left: 4px solid #1a56db; border-radius: 8px; font-size: 15px; }
.card .where { color: #333; margin: 4px 0; }
.card .quote { margin: 6px 0 0; padding: 0 0 0 8px; border-left: 3px solid #ccc;
  white-space: pre-wrap; }
.label { display: inline-block; padding: 2px 8px; border-radius: 10px; font-size: 13px;
  font-weight: 700; text-transform: uppercase; }
.label-constat { background: #e3f4e8; color: #14532d; }
.label-hypothèse { background: #fff4d6; color: #7a4b00; }
.label-méthode { background: #ece6f7; color: #4b2a80; }
.refusal .badge { display: inline-block; background: #fde8e8; color: #9b1c1c;
  padding: 2px 10px; border-radius: 10px; font-weight: 700; margin-bottom: 6px; }
.pending { color: #666; }
.failure { color: #8a1c1c; font-weight: 600; }
.starters button { white-space: normal !important; text-align: left; }
.wall .theme { border-top: 1px solid #ddd; padding: 6px 0; }
.wall .count { color: #666; font-weight: 400; font-size: 14px; }
.wall li.unanswered { color: #9b1c1c; }
.evaluation .check { border-top: 1px solid #ddd; padding: 8px 0; }
.evaluation .verdict { color: #555; }
.check.verdict-supported .verdict { color: #14532d; }
.check.verdict-weak .verdict, .check.verdict-unsupported .verdict { color: #9b1c1c; }
.context { white-space: pre-wrap; font-size: 14px; color: #333; background: #fafafa;
  padding: 8px; border-radius: 6px; max-height: 320px; overflow-y: auto; }
.context mark { background: #ffe58a; padding: 0 1px; }
.matrix { width: 100%; min-width: 720px; border-collapse: collapse; font-size: 14px; }
.matrix tr > th:first-child { min-width: 110px; text-align: left; }
.matrix td.mark-keep { background: #eefaf1; } .matrix td.mark-adapt { background: #fff8e6; }
.matrix td.mark-drop { background: #f4f4f4; color: #777; }
.matrix th, .matrix td { border: 1px solid #ddd; padding: 6px; vertical-align: top; }
.table-wrap { overflow-x: auto; max-width: 100%; }
@media (max-width: 480px) {
  .gradio-container { padding: 0 4px !important; }
  .bubble.user { max-width: 100%; }
}
"""

# Before the app starts: a language chosen with the switch (`?lang=en`, remembered in
# localStorage) stands in for the browser's, so that gr.I18n follows it.
HEAD = """
<script>
(function () {
  try {
    var q = new URLSearchParams(window.location.search).get("lang");
    if (q === "fr" || q === "en") { window.localStorage.setItem("assistant-lang", q); }
    var l = window.localStorage.getItem("assistant-lang");
    if (l === "fr" || l === "en") {
      Object.defineProperty(Navigator.prototype, "language", { get: function () { return l; } });
      Object.defineProperty(Navigator.prototype, "languages", { get: function () { return [l]; } });
    }
  } catch (e) {}
})();
</script>
"""
