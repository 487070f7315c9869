/* Focus not obscured (WCAG 2.2, 2.4.11) for multi-line fields. Chromium scrolls a
 * focused <textarea> only far enough to show its caret, so a box that starts just above
 * the fixed tab bar stays half behind it. Scrolling the whole box into view honours the
 * page's scroll-padding (assets/nara.css), which keeps it above the bar.
 */
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLTextAreaElement) field.scrollIntoView({ block: "nearest" });
});
