/*
 * A small program that does the kinds of work the seccomp tests need to see: files, a loopback TCP
 * connection, threads and a child process. Its output is deterministic, so a run under a generated
 * profile can be compared with a run without one.
 *
 * Usage: workload DIR [BUSYBOX]
 *   DIR      a writable directory for its files
 *   BUSYBOX  the program started as the child (default /bin/busybox), run as `BUSYBOX echo child-ok`
 *
 * Every failing step prints "FAIL <step>: <strerror>" and exits 3, so a test can see where a denied
 * system call happened.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void fail(const char *step) {
  printf("FAIL %s: %s\n", step, strerror(errno));
  fflush(stdout);
  exit(3);
}

static void files(const char *dir) {
  char path[4096], renamed[4096], buf[64];
  snprintf(path, sizeof path, "%s/workload-file", dir);
  snprintf(renamed, sizeof renamed, "%s/workload-file.renamed", dir);
  int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
  if (fd < 0) fail("open-write");
  if (write(fd, "hello file\n", 11) != 11) fail("write");
  if (fsync(fd) != 0) fail("fsync");
  close(fd);
  struct stat st;
  if (stat(path, &st) != 0) fail("stat");
  if (rename(path, renamed) != 0) fail("rename");
  fd = open(renamed, O_RDONLY);
  if (fd < 0) fail("open-read");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  if (n < 0) fail("read");
  buf[n] = 0;
  close(fd);
  if (unlink(renamed) != 0) fail("unlink");
  printf("files: %lld bytes, read back %s", (long long)st.st_size, buf);
}

static void loopback(void) {
  int server = socket(AF_INET, SOCK_STREAM, 0);
  if (server < 0) fail("socket");
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(server, (struct sockaddr *)&addr, sizeof addr) != 0) fail("bind");
  if (listen(server, 1) != 0) fail("listen");
  socklen_t len = sizeof addr;
  if (getsockname(server, (struct sockaddr *)&addr, &len) != 0) fail("getsockname");
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0) fail("socket-client");
  if (connect(client, (struct sockaddr *)&addr, sizeof addr) != 0) fail("connect");
  int peer = accept(server, NULL, NULL);
  if (peer < 0) fail("accept");
  if (send(client, "ping", 4, 0) != 4) fail("send");
  char buf[8] = {0};
  if (recv(peer, buf, 4, MSG_WAITALL) != 4) fail("recv");
  close(peer);
  close(client);
  close(server);
  printf("loopback: received %s\n", buf);
}

static void *sum_to(void *arg) {
  long n = (long)arg, total = 0;
  for (long i = 1; i <= n; i++) total += i;
  return (void *)total;
}

static void threads(void) {
  pthread_t t[3];
  long limits[3] = {10, 100, 1000}, total = 0;
  for (int i = 0; i < 3; i++) {
    errno = pthread_create(&t[i], NULL, sum_to, (void *)limits[i]);
    if (errno != 0) fail("pthread_create");
  }
  for (int i = 0; i < 3; i++) {
    void *result;
    errno = pthread_join(t[i], &result);
    if (errno != 0) fail("pthread_join");
    total += (long)result;
  }
  printf("threads: total %ld\n", total);
}

static void child(const char *busybox) {
  int out[2];
  if (pipe(out) != 0) fail("pipe");
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) fail("fork");
  if (pid == 0) {
    dup2(out[1], 1);
    close(out[0]);
    close(out[1]);
    execl(busybox, busybox, "echo", "child-ok", (char *)NULL);
    _exit(127);
  }
  close(out[1]);
  char buf[64] = {0};
  ssize_t n = read(out[0], buf, sizeof buf - 1);
  if (n < 0) fail("read-child");
  close(out[0]);
  int status;
  if (waitpid(pid, &status, 0) != pid) fail("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    printf("FAIL child: status %d\n", status);
    exit(3);
  }
  printf("child: %s", buf);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DIR [BUSYBOX]\n", argv[0]);
    return 2;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);
  files(argv[1]);
  loopback();
  threads();
  child(argc > 2 ? argv[2] : "/bin/busybox");
  printf("done\n");
  return 0;
}
