// Reference lengths for tests/test_length_conformance.py, from the official implementations.
//
// X: twitter-text 3.1.0's own parseTweet (weightedLength), as npm ships it.
// Mastodon: its StatusLengthValidator (app/validators/status_length_validator.rb): graphemes
// of the content warning plus the text, where each URL its extractor finds (protocol
// required) counts as 23 and a mention @user@domain as @user. The URL grammar is
// twitter-text 3.1.0's own building blocks (regexen) with the changes Mastodon makes in
// config/initializers/twitter_regex.rb; mentions follow its Account::MENTION_RE. This file
// is written here; it uses no Mastodon code.
//
// Usage: node lengths.js TWITTER_TEXT_DIR < texts.json  ->  {"x": [...], "mastodon": [...]}
"use strict";
const tt = require(process.argv[2]);
const R = tt.regexen;

const WHITE = "\\u0009-\\u000d\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PC = `[^${WHITE}<>()?]`;
const PARENS = `\\((?:${PC}+|(?:${PC}*\\(${PC}+\\)${PC}*))\\)`;
const PEND = `(?:[^${WHITE}()?!*"'「」<>;:=,.$%\\[\\]~&|@]|${PARENS})`;
const PATH = `(?:(?:${PC}*(?:${PARENS}${PC}*)*${PEND})|(?:${PC}+/))`;
const U = "\\u00a0-\\ud7ff\\uf900-\\ufdcf\\ufdf0-\\uffef\\ue000-\\uf8ff";
const ASTRAL = "[\\ud800-\\udbff][\\udc00-\\udfff]";
const QC = `(?:[a-z0-9!?*'();:&=+$/%#\\[\\]\\-_.,~|@^${U}]|${ASTRAL})`;
const QE = `(?:[a-z0-9_&=#/\\-${U}]|${ASTRAL})`;
const SCHEMES = "(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://";
const URL = new RegExp(
  `(${R.validUrlPrecedingChars.source})` +
    `((${SCHEMES})?(${R.validDomain.source})(?::(${R.validPortNumber.source}))?` +
    `(/${PATH}*)?(\\?${QC}*${QE})?)`,
  "gi",
);
const TCO = /^https?:\/\/t\.co\/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#[\]\-_.,~|]*[a-z0-9\-_&=#/])?/i;
const MENTION = /(?<![=/\p{L}\p{M}\p{N}_])@(([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)(?:@[\p{L}\p{M}\p{N}_.-]+[\p{L}\p{M}\p{N}_]+)?)/giu;
const END_MENTION = /^(?:[@＠]|[\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff]|:\/\/)/;

function entities(text) {
  const found = [];
  for (const m of text.matchAll(URL)) {
    if (!m[3]) continue; // Mastodon counts only URLs with a protocol
    const start = m.index + m[1].length;
    let url = m[2];
    const tco = url.match(TCO);
    if (tco) {
      if (tco[1].length > 40) continue;
      url = tco[0];
    }
    if (url.length > 4096) continue;
    found.push({ start, end: start + url.length, put: "x".repeat(23) });
  }
  for (const m of text.matchAll(MENTION)) {
    const end = m.index + m[0].length;
    if (END_MENTION.test(text.slice(end))) continue;
    found.push({ start: m.index, end, put: "@" + m[1].split("@")[0] });
  }
  found.sort((a, b) => a.start - b.start);
  const kept = [];
  for (const e of found) {
    if (kept.length && e.start < kept[kept.length - 1].end) continue; // overlapping: drop
    kept.push(e);
  }
  return kept;
}

function mastodon(text, warning = "") {
  let out = "";
  let last = 0;
  for (const e of entities(text)) {
    out += text.slice(last, e.start) + e.put;
    last = e.end;
  }
  out += text.slice(last);
  const seg = new Intl.Segmenter("en", { granularity: "grapheme" });
  return [...seg.segment(warning + out)].length;
}

const texts = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(
  JSON.stringify({
    x: texts.map((t) => tt.parseTweet(t).weightedLength),
    mastodon: texts.map((t) => mastodon(t)),
  }),
);
