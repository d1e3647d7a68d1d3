// servokit-agg: servo-agg's adjust aggregator. Installed as `adjust` in a servo directory, it runs
// the adjust drivers in ./adjust.d/ as one driver.
#include "agg_driver.hpp"

int main(int argc, char** argv) { return servokit::run<agg::agg_driver>(argc, argv); }
