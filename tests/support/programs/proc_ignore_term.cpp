// Child for the process layer tests: ignores SIGTERM, says "ready" once it does, then waits
// forever. Only SIGKILL ends it.
#include <signal.h>
#include <unistd.h>

int main() {
  ::signal(SIGTERM, SIG_IGN);
  const char ready[] = "ready\n";
  if (::write(1, ready, sizeof ready - 1) < 0) return 2;
  for (;;) ::pause();
}
