// A user's program: it includes servokit's umbrella header and uses it.
#include <servokit/servokit.hpp>

#include <iostream>

int main() {
  std::cout << "consumer (add_subdirectory) sees servokit version " << servokit::version << '\n';
  return servokit::version.empty() ? 1 : 0;
}
