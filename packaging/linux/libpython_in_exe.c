/* Linked into Heureum's Linux launcher (packaging/static_bootloader.py) with
 * -Wl,--wrap=dlopen. PyInstaller's bootloader opens the bundle's libpython
 * with dlopen() and looks its functions up by name; in our launcher the
 * interpreter is linked into the executable itself (a distribution's static,
 * PGO-built libpython, as its own python3 is), so that request is answered
 * with the executable's handle. Every other dlopen (extension modules, Qt's
 * plugins, ctypes) goes through unchanged. */
#include <dlfcn.h>
#include <string.h>

void *__real_dlopen(const char *file, int mode);

void *__wrap_dlopen(const char *file, int mode)
{
    if (file != NULL) {
        const char *base = strrchr(file, '/');
        base = base != NULL ? base + 1 : file;
        if (strncmp(base, "libpython3", 10) == 0) {
            return __real_dlopen(NULL, mode);
        }
    }
    return __real_dlopen(file, mode);
}
