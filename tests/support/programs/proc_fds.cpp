// Child for the process layer tests: prints the numbers of its open file descriptors, one per
// line (the descriptor used to list them excluded), so a test can check that nothing of the
// parent leaked into it.
#include <dirent.h>

#include <cstdio>
#include <cstdlib>
#include <string>

int main() {
  DIR* directory = ::opendir("/proc/self/fd");
  if (directory == nullptr) return 2;
  const int own = ::dirfd(directory);
  while (const dirent* entry = ::readdir(directory)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (std::atoi(name.c_str()) == own) continue;
    std::printf("%s\n", name.c_str());
  }
  ::closedir(directory);
  return 0;
}
