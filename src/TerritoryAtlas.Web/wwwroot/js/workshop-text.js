// The workshop's words in the page's language (options.lang: 'fr' by default, 'en'; one workshop per page, so one
// module-wide setting), and el, which builds the panel's and the map's elements with user text as textContent, never
// as HTML.
let english = false;
let timeFormat = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit' });

export function setLanguage(lang) {
  english = lang === 'en';
  timeFormat = new Intl.DateTimeFormat(english ? 'en-GB' : 'fr-FR', { hour: '2-digit', minute: '2-digit' });
}

/** 'en' or 'fr'. */
export const lang = () => (english ? 'en' : 'fr');
export const tr = (french, englishText) => (english ? englishText : french);
export const kindLabel = kind => ({ point: 'Point', line: tr('Ligne', 'Line'), polygon: tr('Zone', 'Area'), label: tr('Étiquette', 'Label') })[kind] ?? kind;
export const formatTime = date => timeFormat.format(date);

export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (key === 'text') node.textContent = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  node.append(...children.filter(c => c !== null && c !== undefined));
  return node;
}
