/* file_syscalls DIR: the kernel's share of reading a Maildir, without pixelwarden: for
 * every regular file under DIR (the order nftw gives), the calls `pixelwarden scan` makes
 * (listing: fstatat relative to the directory, except for a file in a Maildir's cur/ or
 * new/, which a scan without a progress line lists by readdir's entry type alone;
 * reading: open, fstat, read into a reused buffer, close), timed in a loop over the same
 * files. Prints one line of key=value
 * pairs: files, bytes, list_us and read_us per file, total_ms. Run it on one core, page
 * cache warm, as the scan benchmark does: the total is the floor of the scan's CPU time
 * that no change to pixelwarden's own code can lower. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char **paths;
static size_t count, capacity;

static int add(const char *path, const struct stat *st, int type, struct FTW *ftw) {
  (void)st;
  (void)ftw;
  if (type != FTW_F) return 0;
  if (count == capacity) {
    capacity = capacity ? 2 * capacity : 4096;
    paths = realloc(paths, capacity * sizeof *paths);
    if (!paths) abort();
  }
  paths[count++] = strdup(path);
  return 0;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  if (argc != 2 || nftw(argv[1], add, 64, FTW_PHYS) != 0 || count == 0) {
    fprintf(stderr, "usage: file_syscalls DIR (a directory with files in it)\n");
    return 2;
  }
  size_t buf_size = 1 << 20, bytes = 0;
  char *buf = malloc(buf_size);
  double list_s = 0, read_s = 0;
  for (size_t i = 0; i < count; i++) {
    char *slash = strrchr(paths[i], '/');
    *slash = '\0';
    int dir = open(paths[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    *slash = '/';
    struct stat st;
    const char *parent = slash - 4 >= paths[i] ? slash - 4 : paths[i];
    const int mail_dir = strncmp(parent, "/cur", 4) == 0 || strncmp(parent, "/new", 4) == 0;
    double t0 = now();
    if (!mail_dir && fstatat(dir, slash + 1, &st, AT_SYMLINK_NOFOLLOW) != 0) abort();
    double t1 = now();
    close(dir);
    int fd = open(paths[i], O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0 || fstat(fd, &st) != 0) abort();
    if ((size_t)st.st_size > buf_size) {
      buf_size = (size_t)st.st_size;
      buf = realloc(buf, buf_size);
      if (!buf) abort();
    }
    ssize_t n = read(fd, buf, (size_t)st.st_size);
    close(fd);
    double t2 = now();
    if (n < 0) abort();
    bytes += (size_t)n;
    list_s += t1 - t0;
    read_s += t2 - t1;
  }
  printf("files=%zu bytes=%zu list_us=%.2f read_us=%.2f total_ms=%.1f\n", count, bytes,
         list_s / (double)count * 1e6, read_s / (double)count * 1e6, (list_s + read_s) * 1e3);
  return 0;
}
