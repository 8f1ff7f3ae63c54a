// Thai written without spaces breaks where the browser's dictionary (ICU) says a word ends, and that dictionary cuts
// compounds a reader sees as one word: a button read "ครัว/เรือน" over two lines. `word-break: keep-all` does not
// hold Thai together in Chromium, so a label is cut into words here (Intl.Segmenter, the same dictionary), the
// compounds below are put back together, and each word is a span that does not break (.w in field.css): a line can
// end only between two words, where the dictionary allows it anyway (no character is added: the text reads the same).
export const COMPOUNDS = [
  "ครัวเรือน", "ลงพื้นที่", "พื้นที่", "ความช่วยเหลือ", "ช่วยเหลือ", "ความต้องการ", "ตกสำรวจ", "เข้าสู่ระบบ", "ออกจากระบบ",
  "ตอนนี้", "ประตูบ้าน", "บ้านเลขที่", "หมู่ที่", "เครื่องนี้", "สวัสดิการ", "ประชาชน", "โทรศัพท์", "อยู่รอด", "พอเพียง",
];

// The words of a Thai text, compounds whole: "เปลี่ยนสถานะครัวเรือน" → ["เปลี่ยน", "สถานะ", "ครัวเรือน"].
export function thaiWords(text) {
  if (typeof Intl === "undefined" || !Intl.Segmenter) return [text];
  const pieces = [...new Intl.Segmenter("th", { granularity: "word" }).segment(text)].map((s) => s.segment);
  const out = [];
  for (let i = 0; i < pieces.length; ) {
    let taken = 1;
    // the longest compound that starts here and ends where a piece ends
    for (let j = pieces.length; j > i + 1; j -= 1) {
      if (COMPOUNDS.includes(pieces.slice(i, j).join(""))) {
        taken = j - i;
        break;
      }
    }
    out.push(pieces.slice(i, i + taken).join(""));
    i += taken;
  }
  return out;
}

// Every text of the buttons (and button-like links) under root, in Thai, rewritten as unbreakable words.
export function breakAtWords(root, lang) {
  if (lang !== "th") return;
  root.querySelectorAll("button, .button").forEach((button) => {
    for (const node of [...button.childNodes]) {
      if (node.nodeType !== Node.TEXT_NODE || !/[\u0e00-\u0e7f]/.test(node.textContent)) continue;
      // one inline box holding the words: a button is a flex box, whose every child would be a block of its own
      const words = document.createElement("span");
      words.className = "words";
      thaiWords(node.textContent).forEach((word) => {
        if (/^\s+$/.test(word)) words.append(word);
        else {
          const span = document.createElement("span");
          span.className = "w";
          span.textContent = word;
          words.append(span);
        }
      });
      node.replaceWith(words);
    }
  });
}
