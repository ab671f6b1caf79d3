/* The live status page served at `/`: one self-contained HTML document
 * (inline script and style, no external scripts or fonts) that draws
 * /graph.dot and refreshes its figures from /status every second. */
#ifndef DROMD_PAGE_H
#define DROMD_PAGE_H

extern const char dromd_status_page[];

#endif
