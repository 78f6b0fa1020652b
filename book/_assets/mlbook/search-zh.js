/* Chinese queries on the search page.
 *
 * Sphinx indexes Chinese text as jieba's words (sphinx/search/zh.py, with the book's terms in
 * book/_search/terms.txt), but its searchtools.js splits a query only at spaces and punctuation:
 * 随机梯度下降 or 交叉熵损失函数, typed without spaces, was looked up as one word and found
 * nothing. searchtools.js uses a global `splitQuery` when one is defined (this file is loaded
 * before it). This one cuts every run of Chinese characters that is not itself an indexed word
 * into the longest indexed words, left to right; a character that starts no indexed word (的)
 * is dropped. Latin words are split as Sphinx does.
 */
var splitQuery = (query) => {
  const words = query
    .split(/[^\p{Letter}\p{Number}_\p{Emoji_Presentation}]+/gu)
    .filter((word) => word);
  const index = typeof Search !== "undefined" ? Search._index : null;
  if (!index) return words;
  const known = (word) => Object.hasOwn(index.terms, word) || Object.hasOwn(index.titleterms, word);
  const result = [];
  for (const word of words) {
    for (const run of word.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu)) {
      if (!/\p{Script=Han}/u.test(run) || known(run)) {
        result.push(run);
        continue;
      }
      const pieces = [];
      for (let start = 0; start < run.length; ) {
        let end = run.length;
        while (end > start + 1 && !known(run.slice(start, end))) end -= 1;
        if (end > start + 1) pieces.push(run.slice(start, end));
        start = end > start + 1 ? end : start + 1;
      }
      // Nothing indexed inside: keep the run, so that the page honestly reports no result.
      result.push(...(pieces.length ? pieces : [run]));
    }
  }
  return result;
};
