#ifndef PORTER_FLEET_CLINUXFILES_H
#define PORTER_FLEET_CLINUXFILES_H

#include <sys/types.h>
#include <stdint.h>

/// openat2(2) restricted to `dirfd`: no `..` above it, no symbolic links, no /proc magic links
/// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS). Returns a descriptor, or -1 with
/// errno set (ENOSYS on a kernel older than 5.6).
int porter_open_beneath(int dirfd, const char *path, int flags, mode_t mode);

/// renameat2(2) with RENAME_NOREPLACE: fails with EEXIST instead of replacing `newpath`.
int porter_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/// O_PATH: a descriptor that names a file without opening it for I/O.
extern const int porter_O_PATH;

/// AT_EMPTY_PATH: operate on the descriptor itself.
extern const int porter_AT_EMPTY_PATH;

/// Whether the mode is a symbolic link, a directory or a regular file (the S_IS* macros).
int porter_mode_is_link(mode_t mode);
int porter_mode_is_directory(mode_t mode);
int porter_mode_is_regular(mode_t mode);

#endif
