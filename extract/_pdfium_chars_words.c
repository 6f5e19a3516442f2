/* pdfium_text._make_words in C: a page's Word objects from its word columns.
 *
 * The one step of the character layer that must make Python objects (several hundred Words a
 * page, a third of chars_to_words' time in Python), so unlike _pdfium_chars.c this is a CPython
 * extension module, built per Python version (setup.py, optional like the other: without it the
 * Python loop runs, with the same objects; tests/test_pdfium_fast.py compares both).
 *
 * make_words(cls, texts, x0, top, x1, bottom, bold, size, seq) does, for each index, what the
 * Python loop does: object.__new__(cls) (the type's tp_alloc), then object.__setattr__(w,
 * "__dict__", {...}) with the eight fields in their order, keys the interned field names (the
 * same string objects a dict literal in Python uses), values the very objects from the lists.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define N_FIELDS 8

static const char *const FIELD_NAMES[N_FIELDS] = {"text", "x0", "top", "x1", "bottom", "bold", "size", "seq"};
static PyObject *field_keys[N_FIELDS];
static PyObject *dict_name;

static PyObject *make_words(PyObject *self, PyObject *args) {
    PyObject *cls, *cols[N_FIELDS];
    (void)self;
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!O!O!O!O!", &PyType_Type, &cls, &PyList_Type, &cols[0], &PyList_Type,
                          &cols[1], &PyList_Type, &cols[2], &PyList_Type, &cols[3], &PyList_Type, &cols[4],
                          &PyList_Type, &cols[5], &PyList_Type, &cols[6], &PyList_Type, &cols[7]))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(cols[0]);
    for (int k = 1; k < N_FIELDS; k++)
        if (PyList_GET_SIZE(cols[k]) != n) {
            PyErr_SetString(PyExc_ValueError, "make_words: columns of different lengths");
            return NULL;
        }
    PyTypeObject *type = (PyTypeObject *)cls;
    PyObject *out = PyList_New(n);
    if (!out) return NULL;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *w = type->tp_alloc(type, 0);
        if (!w) goto fail;
        PyList_SET_ITEM(out, i, w);
        PyObject *d = _PyDict_NewPresized(N_FIELDS); /* as a dict literal of eight items is made */
        if (!d) goto fail;
        for (int k = 0; k < N_FIELDS; k++)
            if (PyDict_SetItem(d, field_keys[k], PyList_GET_ITEM(cols[k], i)) < 0) {
                Py_DECREF(d);
                goto fail;
            }
        int bad = PyObject_GenericSetAttr(w, dict_name, d);
        Py_DECREF(d);
        if (bad < 0) goto fail;
    }
    return out;
fail:
    Py_DECREF(out);
    return NULL;
}

static PyObject *abi(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(1);
}

static PyMethodDef methods[] = {
    {"make_words", make_words, METH_VARARGS, "Word objects from the word columns (pdfium_text._make_words)."},
    {"abi", abi, METH_NOARGS, "The interface version (pdfium_native.WORDS_ABI)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pdfium_chars_words", NULL, -1, methods,
                                    NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__pdfium_chars_words(void) {
    for (int k = 0; k < N_FIELDS; k++) {
        field_keys[k] = PyUnicode_InternFromString(FIELD_NAMES[k]);
        if (!field_keys[k]) return NULL;
    }
    dict_name = PyUnicode_InternFromString("__dict__");
    if (!dict_name) return NULL;
    return PyModule_Create(&module);
}
