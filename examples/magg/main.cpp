// servokit-magg: servo-magg's measure aggregator. Installed as `measure` in a servo directory, it
// runs the measure drivers in ./measure.d/ at once as one driver.
#include "magg_driver.hpp"

int main(int argc, char** argv) { return servokit::run<magg::magg_driver>(argc, argv); }
