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

/* Order of the function addresses the caller passes (pdfium_native.FUNCTIONS). */
enum {
    F_ORIGIN, F_OBJECT, F_COUNT_RECTS, F_GENERATED, F_MATRIX, F_FONT_SIZE, F_FONT,
    F_COUNT_SEGMENTS, F_SEGMENT, F_SEGMENT_POINT, F_SEGMENT_TYPE, F_SEGMENT_CLOSE, F_COUNT
};

/* The ABI version the Python side checks before use (pdfium_native.ABI). */
BP_EXPORT int bp_abi(void) { return 3; }

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
