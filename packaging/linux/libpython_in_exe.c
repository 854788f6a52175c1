/* Linked into Heureum's Linux launcher (packaging/static_bootloader.py) with
 * -Wl,--wrap=dlopen and -Wl,--wrap=execvp.
 *
 * dlopen: PyInstaller's bootloader opens the bundle's libpython with dlopen()
 * and looks its functions up by name; in our launcher the interpreter is
 * linked into the executable itself (a distribution's static, PGO-built
 * libpython, as its own python3 is), so that request is answered with the
 * executable's handle. Every other dlopen (extension modules, Qt's plugins,
 * ctypes) goes through unchanged.
 *
 * execvp: on Linux the bootloader starts a onedir program twice. It sets
 * LD_LIBRARY_PATH to the bundle's folder, then executes itself again so that
 * the dynamic loader sees it. Every library in our bundle finds the bundle's
 * copies of what it needs through its own RUNPATH (packaging/smoke.sh checks
 * that with ldd and no LD_LIBRARY_PATH), so the second start only costs
 * time on every start. The bootloader's restart is answered as done, and it
 * carries on in this process as the restarted one would. */
#include <dlfcn.h>
#include <stdlib.h>
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

int __real_execvp(const char *file, char *const argv[]);

int __wrap_execvp(const char *file, char *const argv[])
{
    /* -1 is PYI_PROCESS_LEVEL_PARENT_NEEDS_RESTART: set only by the
     * bootloader, only until it restarts (bootloader/src/pyi_main.c) */
    const char *level = getenv("_PYI_PARENT_PROCESS_LEVEL");
    if (level != NULL && strcmp(level, "-1") == 0) {
        /* what the restarted process tells the programs it starts: their
         * parent is the main process (PYI_PROCESS_LEVEL_MAIN) */
        if (setenv("_PYI_PARENT_PROCESS_LEVEL", "1", 1) == 0) {
            return 0;
        }
    }
    return __real_execvp(file, argv);
}
