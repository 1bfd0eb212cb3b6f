/*
 * Asks the kernel for the id of its session keyring with keyctl(2). Needs no capability (runc gives
 * every container a session keyring of its own), but the containerd and Docker default seccomp profiles
 * deny keyctl, because the kernel keyring is not namespaced: a program that RuntimeDefault breaks.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEYCTL_GET_KEYRING_ID 0
#define KEY_SPEC_SESSION_KEYRING -3

int main(void) {
  long id = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
  if (id < 0) {
    printf("FAIL keyctl: %s\n", strerror(errno));
    return 3;
  }
  printf("keyring: ok\n");
  return 0;
}
