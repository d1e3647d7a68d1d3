// servokit-exec: servo-exec's measure driver. Linked or copied as `measure` in a servo directory,
// it runs the tasks of config.yaml's `exec:` section around each measurement.
#include "exec_driver.hpp"

int main(int argc, char** argv) { return servokit::run<exec::exec_driver>(argc, argv); }
