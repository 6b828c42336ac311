// Is the site inside its download window now? The window text ('00:00-06:00', may wrap midnight) is parsed by
// the same code the server validates it with, and evaluated on the province's wall clock (common/download-window.ts).
export { inWindowText } from '../../common/download-window.ts';
