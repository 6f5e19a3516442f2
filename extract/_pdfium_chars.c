/* The per-character PDFium calls of extract/pdfium_text.py, made from C in one call per page.
 *
 * A ctypes call costs about a microsecond, as much as the rest of a character's work, and a dense
 * page has thousands of characters.  This file makes the calls that were made per character from
 * Python (a character's origin, its text object, whether PDFium generated it) in a C loop instead.
 * It decides nothing: the text-object search is pdfium_text._objects step for step, and every
 * choice made with the results stays in Python.
 *
 * No Python.h: the library is loaded with ctypes (extract/pdfium_native.py) and receives PDFium's
 * functions as addresses taken from pypdfium2's loaded library, so it links against neither Python
 * nor PDFium and one build serves every Python version.  It is built at install time as an optional
 * setuptools extension (setup.py); without it the Python path runs, with the same results.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#define BP_EXPORT __declspec(dllexport)
#define BP_CALL __stdcall /* FPDF_CALLCONV; ignored on 64-bit Windows */
#else
#define BP_EXPORT __attribute__((visibility("default")))
#define BP_CALL
#endif

typedef int(BP_CALL *char_origin_fn)(void *text_page, int index, double *x, double *y);
typedef void *(BP_CALL *text_object_fn)(void *text_page, int index);
typedef int(BP_CALL *count_rects_fn)(void *text_page, int start, int count);
typedef int(BP_CALL *is_generated_fn)(void *text_page, int index);
typedef int(BP_CALL *char_matrix_fn)(void *text_page, int index, float *matrix);
typedef int(BP_CALL *font_size_fn)(void *text_object, float *size);
typedef void *(BP_CALL *object_font_fn)(void *text_object);
typedef int(BP_CALL *count_segments_fn)(void *path);
typedef void *(BP_CALL *get_segment_fn)(void *path, int index);
typedef int(BP_CALL *segment_point_fn)(void *segment, float *x, float *y);
typedef int(BP_CALL *segment_int_fn)(void *segment);
typedef int(BP_CALL *glyph_width_fn)(void *font, uint32_t glyph, float font_size, float *width);
typedef int(BP_CALL *loose_box_fn)(void *text_page, int index, float *rect);
typedef int(BP_CALL *char_box_fn)(void *text_page, int index, double *left, double *right, double *bottom,
                                  double *top);

/* Order of the function addresses the caller passes (pdfium_native.FUNCTIONS). */
enum {
    F_ORIGIN, F_OBJECT, F_COUNT_RECTS, F_GENERATED, F_MATRIX, F_FONT_SIZE, F_FONT,
    F_COUNT_SEGMENTS, F_SEGMENT, F_SEGMENT_POINT, F_SEGMENT_TYPE, F_SEGMENT_CLOSE,
    F_GLYPH_WIDTH, F_LOOSE_BOX, F_CHAR_BOX, F_COUNT
};

/* The ABI version the Python side checks before use (pdfium_native.ABI). */
BP_EXPORT int bp_abi(void) { return 5; }

/* setuptools names an extension's init function in its export list (used on Windows only); the
 * library is never imported as a Python module, so this only lets the link succeed there. */
BP_EXPORT void *PyInit__pdfium_chars(void) { return 0; }

static uint64_t object_at(void *const *fns, void *tp, int i) {
    return (uint64_t)(uintptr_t)((text_object_fn)fns[F_OBJECT])(tp, i);
}

static void objects_each(void *const *fns, void *tp, int s, int e, uint64_t *objs) {
    for (int i = s; i < e; i++) objs[i] = object_at(fns, tp, i);
}

/* The first index k in ink[lo, hi) with ink[k] >= v (Python's bisect_left). */
static int bisect_left(const int *ink, int v, int lo, int hi) {
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (ink[mid] < v) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

typedef struct { int s, e, lo, hi; } part;

/* pdfium_text._objects: each character's text object, asked once per baseline run where the run
 * holds one object (FPDFText_CountRects finds object changes), the run halved where it holds
 * several.  Returns 0, or -1 when memory runs out. */
static int objects(void *const *fns, void *tp, int n, const double *oy, const uint8_t *space,
                   uint64_t *objs) {
    int *ink = malloc(sizeof(int) * (size_t)(n > 0 ? n : 1));
    size_t cap = (size_t)n + 128, top = 0;
    part *todo = malloc(sizeof(part) * cap);
    if (!ink || !todo) {
        free(ink);
        free(todo);
        return -1;
    }
    int n_ink = 0;
    for (int i = 0; i < n; i++)
        if (!space[i]) ink[n_ink++] = i;
    /* baseline runs: a new run wherever the origin's y changes; each with its first and last ink */
    int k = 0;
    for (int s = 0; s < n;) {
        int e = s + 1;
        while (e < n && !(oy[e] != oy[e - 1])) e++;
        while (k < n_ink && ink[k] < s) k++;
        int lo = k, hi = k;
        while (hi < n_ink && ink[hi] < e) hi++;
        todo[top++] = (part){s, e, lo, hi - 1};
        s = e;
    }
    while (top) {
        part p = todo[--top];
        int s = p.s, e = p.e, lo = p.lo, hi = p.hi;
        if (lo > hi) { /* only spaces (generated line breaks, most often): ask each */
            objects_each(fns, tp, s, e, objs);
            continue;
        }
        uint64_t first = object_at(fns, tp, ink[lo]);
        if (lo == hi || (e - s > 2 && ((count_rects_fn)fns[F_COUNT_RECTS])(tp, s, e - s) == 1
                         && object_at(fns, tp, ink[hi]) == first)) {
            for (int i = s; i < e; i++) objs[i] = first;
        } else if (e - s <= 8) {
            objects_each(fns, tp, s, e, objs);
        } else {
            int mid = s + (e - s) / 2;
            int m = bisect_left(ink, mid, lo, hi + 1);
            if (top + 2 > cap) { /* cannot happen (depth-first: runs + one part per halving) */
                part *more = realloc(todo, sizeof(part) * cap * 2);
                if (!more) {
                    free(ink);
                    free(todo);
                    return -1;
                }
                todo = more;
                cap *= 2;
            }
            todo[top++] = (part){s, mid, lo, m - 1};
            todo[top++] = (part){mid, e, m, hi};
        }
    }
    free(ink);
    free(todo);
    return 0;
}

/* One page's characters 0..n-1 of text page `tp`:
 *   ox, oy     each character's origin (FPDFText_GetCharOrigin; left as given where it fails);
 *   objs       its text object's address, by pdfium_text._objects' search (0: none);
 *   generated  1 where PDFium generated it (FPDFText_IsGenerated == 1), asked only of characters
 *              with an object and a code marked in `maybe`, as page_chars asks; else 0.
 * `space` and `maybe` are per character (the caller indexes its code tables by the codes).
 * Returns 0, or -1 when memory runs out (the caller then takes the Python path). */
BP_EXPORT int bp_page_chars(void *const *fns, void *tp, int n, const uint8_t *space, const uint8_t *maybe,
                            double *ox, double *oy, uint64_t *objs, uint8_t *generated) {
    char_origin_fn origin = (char_origin_fn)fns[F_ORIGIN];
    for (int i = 0; i < n; i++) origin(tp, i, ox + i, oy + i);
    if (objects(fns, tp, n, oy, space, objs) != 0) return -1;
    is_generated_fn is_generated = (is_generated_fn)fns[F_GENERATED];
    for (int i = 0; i < n; i++)
        generated[i] = (uint8_t)(objs[i] != 0 && maybe[i] && is_generated(tp, i) == 1);
    return 0;
}

/* pdfium_text._object_facts' calls for n text objects: the matrix of the character at[k] (six
 * floats a row of `mats`; not asked where at[k] < 0), the object's font size (`sizes`, with the
 * call's result in `got`) and font handle (`fonts`). */
BP_EXPORT void bp_object_facts(void *const *fns, void *tp, int n, const uint64_t *objs, const int64_t *at,
                               float *mats, float *sizes, int32_t *got, uint64_t *fonts) {
    char_matrix_fn matrix = (char_matrix_fn)fns[F_MATRIX];
    font_size_fn font_size = (font_size_fn)fns[F_FONT_SIZE];
    object_font_fn font = (object_font_fn)fns[F_FONT];
    for (int k = 0; k < n; k++) {
        void *obj = (void *)(uintptr_t)objs[k];
        if (at[k] >= 0) matrix(tp, (int)at[k], mats + 6 * k);
        got[k] = font_size(obj, sizes + k);
        fonts[k] = (uint64_t)(uintptr_t)font(obj);
    }
}

/* pdfium_text.FontCache.width's calls and its check (pdfium_text._checked_width) for m (font,
 * code) pairs of one page, step for step: the advance width PDFium gives `codes[k]` in `fonts[k]`
 * (per 1000 units, -1 where it gives none), checked where scale[k] > 0 against the boxes of the
 * character `index[k]` (at origin x `origin_x[k]`, scale[k] points a unit).  Out: `widths[k]`,
 * and `rounded[k]` 1 where the width is the loose box's end (`widths[k]` then holds it unrounded:
 * the caller rounds it with Python's round(), which this file does not reproduce). */
BP_EXPORT void bp_widths(void *const *fns, void *tp, int m, const uint64_t *fonts, const uint32_t *codes,
                         const int32_t *index, const double *origin_x, const double *scale, double *widths,
                         uint8_t *rounded) {
    glyph_width_fn glyph_width = (glyph_width_fn)fns[F_GLYPH_WIDTH];
    loose_box_fn loose_box = (loose_box_fn)fns[F_LOOSE_BOX];
    char_box_fn char_box = (char_box_fn)fns[F_CHAR_BOX];
    for (int k = 0; k < m; k++) {
        float out = 0.0f;
        double w = glyph_width((void *)(uintptr_t)fonts[k], codes[k], 1000.0f, &out) ? (double)out : -1.0;
        rounded[k] = 0;
        double sc = scale[k];
        if (sc > 0) {
            float loose[4] = {0.0f, 0.0f, 0.0f, 0.0f};
            double tight[4] = {0.0, 0.0, 0.0, 0.0};
            if (loose_box(tp, index[k], loose)) {
                char_box(tp, index[k], tight, tight + 1, tight + 2, tight + 3); /* left, right, bottom, top */
                double left = (double)loose[0], right = (double)loose[2], tight_right = tight[1];
                double ox = origin_x[k];
                double d0 = left - tight[0], d1 = right - tight_right;
                if ((d0 < 0 ? -d0 : d0) < 1e-3 && (d1 < 0 ? -d1 : d1) < 1e-3) { /* Python's abs() */
                    /* PDFium fell back to the glyph box: nothing to check against */
                    if (!(w >= 0)) {
                        double d = tight_right - ox;
                        if (0.0 > d) d = 0.0; /* Python's max(d, 0.0) */
                        w = d / sc;
                    }
                } else {
                    double seen = (right - ox) / sc;
                    double t = 0.02 / sc, tol = t > 1.0 ? t : 1.0; /* Python's max(1.0, t) */
                    if (w < 0 || seen < w - tol || (seen > w + tol && right > tight_right + 1e-3)) {
                        w = seen;
                        rounded[k] = 1;
                    }
                }
            }
        }
        widths[k] = w;
    }
}

/* extract.pdfium._Walk._read_paths' calls: each path's segment count (`counts`, as
 * FPDFPath_CountSegments gives it, -1 on failure). */
BP_EXPORT void bp_path_counts(void *const *fns, int n, const uint64_t *paths, int32_t *counts) {
    count_segments_fn count = (count_segments_fn)fns[F_COUNT_SEGMENTS];
    for (int k = 0; k < n; k++) counts[k] = count((void *)(uintptr_t)paths[k]);
}

/* ... and their segments, path after path (counts[k] of path k; none where counts[k] <= 0): each
 * segment's point (two floats a segment into `xy`, left as given where the call fails), kind and
 * close flag, as the calls return them (a missing segment is passed on as NULL, as Python's map
 * passes None). */
BP_EXPORT void bp_path_segments(void *const *fns, int n, const uint64_t *paths, const int32_t *counts,
                                float *xy, int32_t *kinds, int32_t *closes) {
    get_segment_fn segment = (get_segment_fn)fns[F_SEGMENT];
    segment_point_fn point = (segment_point_fn)fns[F_SEGMENT_POINT];
    segment_int_fn kind = (segment_int_fn)fns[F_SEGMENT_TYPE];
    segment_int_fn close = (segment_int_fn)fns[F_SEGMENT_CLOSE];
    size_t at = 0;
    for (int k = 0; k < n; k++) {
        void *path = (void *)(uintptr_t)paths[k];
        for (int j = 0; j < counts[k]; j++, at++) {
            void *seg = segment(path, j);
            point(seg, xy + 2 * at, xy + 2 * at + 1);
            kinds[at] = kind(seg);
            closes[at] = close(seg);
        }
    }
}

/* Stable merge sort of the indices idx[0..n) by key[idx[.]] (ties keep their order, as numpy's
 * lexsort does), with tmp as scratch; a half already in order is not merged (text comes nearly
 * sorted: a line's characters share a top, its words follow each other). */
static void merge_sort(int *idx, int *tmp, int n, const double *key) {
    if (n < 2) return;
    if (n <= 16) { /* insertion sort: stable, moves an element past strictly greater ones only */
        for (int i = 1; i < n; i++) {
            int v = idx[i], j = i;
            while (j > 0 && key[idx[j - 1]] > key[v]) { idx[j] = idx[j - 1]; j--; }
            idx[j] = v;
        }
        return;
    }
    int h = n / 2;
    merge_sort(idx, tmp, h, key);
    merge_sort(idx + h, tmp, n - h, key);
    if (!(key[idx[h]] < key[idx[h - 1]])) return;
    memcpy(tmp, idx, sizeof(int) * (size_t)h);
    int a = 0, b = h, k = 0;
    while (a < h && b < n) idx[k++] = key[idx[b]] < key[tmp[a]] ? idx[b++] : tmp[a++];
    while (a < h) idx[k++] = tmp[a++];
}

/* pdfium_text.chars_to_words' grouping of a page's n characters (pdfplumber's WordExtractor), the
 * numpy steps one by one: `key` the characters' runs (font, size, uprightness), `upright`, boxes
 * (`x0`, `x1`, `top`, `bottom`), `space` 1 for whitespace.
 *   1. by run, then line value (top; x0 for rotated text), stably: a new line where the run
 *      changes or the value exceeds the previous one's by more than `ytol`;
 *   2. by line, then the along-line start (x0; top), stably: a word ends at a line change, after
 *      whitespace, where a character starts left of the one before, more than `xtol` after its
 *      end, or more than `ytol` across the line; whitespace is dropped.
 * Out: `sel` the kept characters word after word (in the order above), `starts` each word's first
 * position in `sel` and then the length of `sel` (n + 1 slots), and per word the minimum x0, top, the maximum x1, bottom and the lowest
 * character index.  Returns the number of words, or -1 (a NaN in a box, no memory): the caller
 * then takes the numpy path, whose comparisons a NaN would make differ. */
BP_EXPORT int bp_words(int n, const int64_t *key, const uint8_t *upright, const double *x0, const double *x1,
                       const double *top, const double *bottom, const uint8_t *space, double xtol, double ytol,
                       int32_t *sel, int32_t *starts, double *wx0, double *wx1, double *wtop, double *wbottom,
                       int32_t *wseq) {
    for (int i = 0; i < n; i++)
        if (x0[i] != x0[i] || x1[i] != x1[i] || top[i] != top[i] || bottom[i] != bottom[i]) return -1; /* NaN */
    double *lv = malloc(sizeof(double) * (size_t)(3 * n + 1));
    int *order = malloc(sizeof(int) * (size_t)(3 * n + 2));
    if (!lv || !order) {
        free(lv);
        free(order);
        return -1;
    }
    double *a0 = lv + n, *a1 = lv + 2 * n;
    int *tmp = order + n, *line = order + 2 * n; /* line: n + 2 ints (counts below) */
    for (int i = 0; i < n; i++) {
        lv[i] = upright[i] ? top[i] : x0[i];
        a0[i] = upright[i] ? x0[i] : top[i];
        a1[i] = upright[i] ? x1[i] : bottom[i];
        order[i] = i;
    }
    /* 1. runs are consecutive characters: each sorted by its line value */
    for (int s = 0; s < n;) {
        int e = s + 1;
        while (e < n && key[e] == key[e - 1]) e++;
        merge_sort(order + s, tmp, e - s, lv);
        s = e;
    }
    int n_lines = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (k == 0 || key[i] != key[order[k - 1]] || lv[i] > lv[order[k - 1]] + ytol) n_lines++;
        line[i] = n_lines; /* 1-based, as numpy's cumsum gives */
    }
    /* 2. by line (a counting sort: stable, so each line's characters stay in content order), then
     * each line by its along-line start */
    int *count = calloc((size_t)n_lines + 2, sizeof(int));
    if (!count) {
        free(lv);
        free(order);
        return -1;
    }
    for (int i = 0; i < n; i++) count[line[i] + 1]++;
    for (int l = 1; l <= n_lines + 1; l++) count[l] += count[l - 1];
    for (int i = 0; i < n; i++) tmp[count[line[i]]++] = i;
    memcpy(order, tmp, sizeof(int) * (size_t)n);
    for (int s = 0; s < n;) {
        int e = s + 1;
        while (e < n && line[order[e]] == line[order[s]]) e++;
        merge_sort(order + s, tmp, e - s, a0);
        s = e;
    }
    free(count);
    int m = 0, words = 0, open = 0;
    for (int k = 0; k < n; k++) {
        int i = order[k];
        int brk = 1;
        if (k > 0) {
            int p = order[k - 1];
            double across = lv[i] - lv[p];
            brk = line[i] != line[p] || space[p] || a0[i] < a0[p] || a0[i] > a1[p] + xtol
                  || (across < 0 ? -across : across) > ytol;
        }
        if (brk) open = 0;
        if (space[i]) continue;
        if (!open) { /* a word's first kept character */
            starts[words] = m;
            wx0[words] = x0[i];
            wx1[words] = x1[i];
            wtop[words] = top[i];
            wbottom[words] = bottom[i];
            wseq[words] = i;
            words++;
            open = 1;
        } else {
            int w = words - 1;
            if (x0[i] < wx0[w]) wx0[w] = x0[i];
            if (x1[i] > wx1[w]) wx1[w] = x1[i];
            if (top[i] < wtop[w]) wtop[w] = top[i];
            if (bottom[i] > wbottom[w]) wbottom[w] = bottom[i];
            if (i < wseq[w]) wseq[w] = i;
        }
        sel[m++] = i;
    }
    starts[words] = m;
    free(lv);
    free(order);
    return words;
}
