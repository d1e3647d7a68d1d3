// servokit-batch: servo-batch's adjust and measure drivers in one program. Linked as `adjust` and
// `measure` in a servo directory, it takes its role from the name it is run by (or --role).
#include "batch_driver.hpp"

int main(int argc, char** argv) { return servokit::run<batch::batch_driver>(argc, argv); }
