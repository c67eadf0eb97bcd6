/*
 * The attacker of CVE-2019-5736's pattern, run inside a container: scans /proc/PID/exe of every
 * process as fast as it can, and counts each whose exe link resolves to a java binary (readlink) or
 * can be opened (O_PATH) while it does. Bounded: stops at OUT/stop or after MAX_SCANS scans.
 * Writes "READLINKS OPENS SCANS FIRST-TARGET" to OUT/result.
 *
 * usage: exe-scanner OUT [PPID]   (PPID: count only children of that process; 0 or none: all)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SCANS 3000000L

static long parent_of(const char *pid) {
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *end = strrchr(buf, ')');
    if (end == NULL) return -1;
    return strtol(end + 4, NULL, 10); /* ") S PPID" */
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    long parent = argc > 2 ? atol(argv[2]) : 0, self = getpid();
    long readlinks = 0, opens = 0, scans;
    char stop[4096], path[300], target[4096], first[4096] = "-";
    snprintf(stop, sizeof stop, "%s/stop", argv[1]);
    snprintf(target, sizeof target, "%s/ready", argv[1]);
    close(open(target, O_WRONLY | O_CREAT, 0644));
    for (scans = 0; scans < MAX_SCANS; scans++) {
        if (scans % 256 == 0 && access(stop, F_OK) == 0) break;
        DIR *proc = opendir("/proc");
        if (proc == NULL) return 3;
        for (struct dirent *e; (e = readdir(proc)) != NULL;) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9' || atol(e->d_name) == self) continue;
            if (parent != 0 && parent_of(e->d_name) != parent) continue;
            snprintf(path, sizeof path, "/proc/%s/exe", e->d_name);
            ssize_t n = readlink(path, target, sizeof target - 1);
            if (n > 0) {
                target[n] = 0;
                if (strstr(target, "java") != NULL) {
                    if (readlinks++ == 0) strcpy(first, target);
                }
            }
            int fd = open(path, O_PATH);
            if (fd >= 0) {
                char fdpath[64];
                snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d", fd);
                n = readlink(fdpath, target, sizeof target - 1);
                if (n > 0) {
                    target[n] = 0;
                    if (strstr(target, "java") != NULL) {
                        if (opens++ == 0 && readlinks == 0) strcpy(first, target);
                    }
                }
                close(fd);
            }
        }
        closedir(proc);
    }
    snprintf(target, sizeof target, "%s/result", argv[1]);
    FILE *out = fopen(target, "w");
    if (out == NULL) return 4;
    fprintf(out, "%ld %ld %ld %s\n", readlinks, opens, scans, first);
    return fclose(out) == 0 ? 0 : 5;
}
